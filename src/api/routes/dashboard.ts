import { statSync } from "node:fs";
import { resolve, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

export interface DashboardOptions {
  /** The built dashboard (`ui/dist`, made by `npm run build:ui`). */
  distDir: string;
}

/** Vite names built assets `name-<hash>.ext`: their content never changes, so browsers may keep them. */
const HASHED_ASSET = /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";
// index.html names the current hashed assets: always revalidate it, so a deploy is picked up at once.
const REVALIDATE = "no-cache";
const SHORT = "public, max-age=3600";
/**
 * "Connect to QuickBooks" opens Intuit in a popup that comes back to /api/qbo/callback and
 * posts the result to this page. helmet's default `Cross-Origin-Opener-Policy: same-origin`
 * cuts that link (the popup visits another origin), so the dashboard allows its popups and the
 * callback page must not isolate itself.
 */
const DASHBOARD_COOP = "same-origin-allow-popups";
const OAUTH_CALLBACK_PATH = "/api/qbo/callback";

/**
 * Serves the React dashboard at `/`: real files from `distDir` (hashed assets cached for a year),
 * and index.html for every other GET outside /api/ so addresses like /companies/3/runs survive a
 * reload (the app routes in the browser). /api/* and missing asset files keep the API's 404.
 */
export async function registerDashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const root = resolve(options.distDir);
  const built = isFile(resolve(root, "index.html"));
  if (built) await app.register(fastifyStatic, { root, serve: false, decorateReply: true });
  // The callback route belongs to the API (routes/qbo.ts); only its opener policy is set here,
  // because it exists for this page's popup.
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.routeOptions.url === OAUTH_CALLBACK_PATH) void reply.header("cross-origin-opener-policy", "unsafe-none");
    return payload;
  });

  app.get("/*", { schema: { hide: true }, config: { access: "public" } }, async (request, reply) => {
    const path = safeDecode(request.url.split("?")[0] ?? "/");
    if (path === null || path === "/api" || path.startsWith("/api/")) return reply.callNotFound();
    if (!built) return notBuilt(reply);
    const relative = path.replace(/^\/+/, "");
    if (relative.length > 0 && isServable(root, relative)) {
      if (relative === "index.html") void reply.header("cross-origin-opener-policy", DASHBOARD_COOP);
      return reply.header("cache-control", cacheControlFor(relative)).sendFile(relative, { cacheControl: false, dotfiles: "deny" });
    }
    // A missing file (an old hashed asset, a typo) is a 404, not the app: browsers would parse HTML as JS.
    if (/\.[A-Za-z0-9]{1,8}$/.test(relative)) return reply.callNotFound();
    return reply
      .header("cache-control", REVALIDATE)
      .header("cross-origin-opener-policy", DASHBOARD_COOP)
      .type("text/html; charset=utf-8")
      .sendFile("index.html", { cacheControl: false });
  });
}

function cacheControlFor(relative: string): string {
  if (relative === "index.html") return REVALIDATE;
  return HASHED_ASSET.test(relative) ? IMMUTABLE : SHORT;
}

function isServable(root: string, relative: string): boolean {
  if (relative.split("/").some((segment) => segment.startsWith(".") || segment.length === 0)) return false;
  const full = resolve(root, relative);
  return full.startsWith(root + sep) && isFile(full);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function safeDecode(path: string): string | null {
  try {
    const decoded = decodeURIComponent(path);
    return decoded.includes("\0") ? null : decoded;
  } catch {
    return null;
  }
}

function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>devsync</title></head>' +
        '<body style="font-family: system-ui, sans-serif; margin: 3rem">' +
        "<h1>The dashboard has not been built</h1>" +
        "<p>Run <code>npm run build</code> (or <code>npm run build:ui</code>) and restart devsync. The API works meanwhile at <a href=\"/api/docs\">/api/docs</a>.</p>" +
        "</body></html>",
    );
}
