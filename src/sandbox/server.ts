import Fastify, { type FastifyInstance } from "fastify";
import { createSandboxClock, type SandboxClock } from "./clock.js";
import { seedDemoTenants, type DemoTenant } from "./devpos/demo-tenants.js";
import { createDevposSimulator, type DevposSimulator, type DevposSimulatorOptions } from "./devpos/index.js";
import { createQboSimulator, type QboSimulator, type QboSimulatorOptions } from "./qbo/index.js";
import { createStateSaver, readStateFile, type SandboxStateFile, type StateSaver } from "./state-file.js";

export interface SandboxServerOptions {
  /** Default 4010; 0 picks a free port (tests). */
  port?: number;
  /** Only loopback: the simulators accept any sandbox credentials and must not be exposed. */
  host?: "127.0.0.1";
  /** Seeds both simulators; on a fresh state also creates demo tenants and documents. */
  seed?: number;
  /** Load on start, save after changes (debounced), periodically and on close. Default: memory only. */
  stateFile?: string;
  qbo?: Partial<QboSimulatorOptions>;
  devpos?: Partial<DevposSimulatorOptions>;
  /** Shared clock (default: wall time plus the offset saved in the state file). */
  clock?: SandboxClock;
  /** Debounce for state saves after a changing request (default 500 ms). */
  saveDebounceMs?: number;
}

export interface SandboxServer {
  url: string;
  clock: SandboxClock;
  qbo: QboSimulator;
  devpos: DevposSimulator;
  /** Demo DevPos logins created from the seed (also after a restart from the state file). */
  demoTenants: DemoTenant[];
  close(): Promise<void>;
}

export async function createSandboxServer(opts: SandboxServerOptions = {}): Promise<SandboxServer> {
  const saved = opts.stateFile ? await readStateFile(opts.stateFile) : undefined;
  const clock = opts.clock ?? createSandboxClock();
  if (saved) clock.setOffset(saved.clockOffsetMs);
  const seed = opts.seed ?? saved?.seed;

  const qbo = createQboSimulator({ ...opts.qbo, clock, seed: opts.qbo?.seed ?? seed });
  const devpos = createDevposSimulator({ ...opts.devpos, clock, seed: opts.devpos?.seed ?? seed });
  let demoTenants: DemoTenant[] = [];
  if (saved) {
    qbo.restore(saved.qbo);
    devpos.restore(saved.devpos);
    // Options given on the command line win over the configuration saved with the state.
    reapplyConfig(qbo, devpos, opts);
    demoTenants = Array.isArray(saved.demo) ? (saved.demo as DemoTenant[]) : [];
  } else if (seed !== undefined) {
    demoTenants = seedDemoTenants(devpos, { seed, clock });
  }

  const app = Fastify({ logger: false, forceCloseConnections: true });
  const collect = (): SandboxStateFile => ({
    version: 1,
    savedAt: new Date().toISOString(),
    clockOffsetMs: clock.offsetMs(),
    ...(seed !== undefined ? { seed } : {}),
    demo: demoTenants,
    qbo: qbo.snapshot(),
    devpos: devpos.snapshot(),
  });
  const saver: StateSaver | undefined = opts.stateFile
    ? createStateSaver({ path: opts.stateFile, collect, debounceMs: opts.saveDebounceMs })
    : undefined;
  if (saver) {
    // Registered before the simulators so their routes inherit it: any non-GET may change state.
    app.addHook("onResponse", async (request) => {
      if (request.method !== "GET" && request.method !== "HEAD") saver.schedule();
    });
  }

  await app.register(qbo.plugin, { prefix: "/qbo" });
  await app.register(devpos.plugin, { prefix: "/devpos" });
  let url = "";
  registerSandboxAdminRoutes(app, { clock, urls: () => sandboxUrls(url), demoTenants: () => demoTenants });

  const address = await app.listen({ port: opts.port ?? 4010, host: opts.host ?? "127.0.0.1" });
  url = address.replace("localhost", "127.0.0.1");
  await saver?.flush();

  let closing: Promise<void> | undefined;
  return {
    url,
    clock,
    qbo,
    devpos,
    demoTenants,
    close: () => (closing ??= closeServer(app, saver)),
  };
}

export interface SandboxUrls {
  qboAuthorizeUrl: string;
  qboTokenUrl: string;
  qboRevokeUrl: string;
  qboApiBase: string;
  devposBase: string;
}

/** The values devsync's own configuration should point at. */
export function sandboxUrls(url: string): SandboxUrls {
  return {
    qboAuthorizeUrl: `${url}/qbo/connect/oauth2`,
    qboTokenUrl: `${url}/qbo/oauth2/v1/tokens/bearer`,
    qboRevokeUrl: `${url}/qbo/v2/oauth2/tokens/revoke`,
    qboApiBase: `${url}/qbo`,
    devposBase: `${url}/devpos`,
  };
}

function reapplyConfig(qbo: QboSimulator, devpos: DevposSimulator, opts: SandboxServerOptions): void {
  const d = opts.devpos ?? {};
  if (d.quirks || d.latency) devpos.configure({ quirks: d.quirks, latency: d.latency });
  const { rotation, limits, latency, faults, autoApprove } = opts.qbo ?? {};
  const patch = Object.fromEntries(Object.entries({ rotation, limits, latency, faults, autoApprove }).filter(([, v]) => v !== undefined));
  if (Object.keys(patch).length > 0) qbo.configure(patch);
}

async function closeServer(app: FastifyInstance, saver: StateSaver | undefined): Promise<void> {
  await app.close();
  await saver?.stop();
}

interface SandboxAdminDeps {
  clock: SandboxClock;
  urls: () => SandboxUrls;
  demoTenants: () => DemoTenant[];
}

/** Routes shared by both simulators: the one clock, and an index of the URLs to configure. */
function registerSandboxAdminRoutes(app: FastifyInstance, deps: SandboxAdminDeps): void {
  const clockView = () => ({ now: new Date(deps.clock.now()).toISOString(), epochMs: deps.clock.now(), offsetMs: deps.clock.offsetMs() });

  app.get("/_admin/clock", async () => clockView());

  app.post("/_admin/clock/advance", async (request, reply) => {
    const ms = (request.body as { ms?: unknown } | undefined)?.ms;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      return reply.code(400).send({ error: { code: "validation_failed", message: "ms must be a non-negative number", fields: { ms: "required" } } });
    }
    deps.clock.advance(ms);
    return clockView();
  });

  app.get("/", async (request, reply) => {
    const index = {
      name: "devsync sandbox",
      urls: deps.urls(),
      admin: { clock: "/_admin/clock", advanceClock: "POST /_admin/clock/advance {ms}", qbo: "/qbo/_admin", devpos: "/devpos/_admin" },
      // Usernames only: the sandbox prints demo passwords on its console, not on a web page.
      demoTenants: deps.demoTenants().map(({ tenant, companyName, username }) => ({ tenant, companyName, username })),
    };
    if (!(request.headers.accept ?? "").includes("text/html")) return index;
    return reply.type("text/html; charset=utf-8").send(renderIndex(index.urls, index.demoTenants));
  });
}

function renderIndex(urls: SandboxUrls, tenants: { tenant: string; companyName: string; username: string }[]): string {
  const rows = Object.entries(urls).map(([k, v]) => `<tr><th>${escape(k)}</th><td><code>${escape(v)}</code></td></tr>`).join("");
  const demo = tenants.map((t) => `<li><code>${escape(t.tenant)}</code> ${escape(t.companyName)} (user <code>${escape(t.username)}</code>)</li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>devsync sandbox</title></head><body>
<h1>devsync sandbox</h1><p>QuickBooks Online and DevPos simulators. Point devsync's configuration at:</p>
<table>${rows}</table>${demo ? `<h2>Demo DevPos tenants</h2><ul>${demo}</ul>` : ""}
<p>Clock: <a href="/_admin/clock">/_admin/clock</a> (POST /_admin/clock/advance {"ms": …})</p></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
