import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { DEFAULT_SESSION_ABSOLUTE_MS, DEFAULT_SESSION_IDLE_MS, SESSION_COOKIE } from "./auth/session-cookie.js";
import { registerAuthentication } from "./auth/authenticate.js";
import type { ApiContext } from "./context.js";
import { systemClock } from "../clock.js";
import type { AppDeps } from "./deps.js";
import { registerErrorHandler } from "./error-handler.js";
import { clientErrorHandler, frameworkErrors } from "./framework-errors.js";
import { CONTENT_SECURITY_POLICY } from "./security-headers.js";
import { registerApiKeyRoutes } from "./routes/api-keys.js";
import { registerAuditRoutes } from "./routes/audit.js";
import { registerAuthRoutes } from "./routes/auth.js";
import { registerCompanyRoutes } from "./routes/companies.js";
import { registerDevposRoutes } from "./routes/devpos.js";
import { registerDocumentRoutes } from "./routes/documents.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerQboRoutes } from "./routes/qbo.js";
import { registerRunRoutes } from "./routes/runs.js";
import { registerScheduleRoutes } from "./routes/schedules.js";
import { registerUserRoutes } from "./routes/users.js";
import { registerZeroAmountDocumentRoutes } from "./routes/zero-amount-documents.js";

export type { AppDeps } from "./deps.js";

/** Builds the HTTP app without listening: `serve` listens, tests call `app.inject()`. */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: { req: serializeRequest } }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 1_048_576,
    requestIdHeader: false,
    // Query strings: `a=1&a=2` arrives as an array and is refused by the schemas, never merged.
    routerOptions: { maxParamLength: 200 },
    // Bad percent-encoding and over-long paths are refused before routing: same envelope.
    frameworkErrors,
    clientErrorHandler,
    ...(deps.trustProxy ? { trustProxy: trustProxyOption(deps.trustProxy) } : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const context: ApiContext = {
    deps,
    db: deps.db,
    clock: deps.clock ?? systemClock,
    secureCookies: (deps.publicUrl ?? "").startsWith("https:"),
    sessionIdleMs: deps.session?.idleMs ?? DEFAULT_SESSION_IDLE_MS,
    sessionAbsoluteMs: deps.session?.absoluteMs ?? DEFAULT_SESSION_ABSOLUTE_MS,
  };

  await app.register(helmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY });
  // API answers carry accounts, tokens' metadata and business data: never kept by a browser or proxy.
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.url.startsWith("/api/") && !reply.hasHeader("cache-control")) void reply.header("cache-control", "no-store");
    return payload;
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "devsync API",
        version: "1",
        description:
          "Sync DevPos e-invoices into QuickBooks Online for many companies, on schedules. " +
          `Authenticate with the session cookie \`${SESSION_COOKIE}\` from POST /api/auth/login (writes then need the ` +
          "`x-csrf-token` header) or with an API key: `Authorization: Bearer dsk_…`. Errors are always " +
          '`{"error": {"code", "message", "fields"?}}`. Lists are paged with `limit` and the `next_cursor` they return.',
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          apiKey: { type: "http", scheme: "bearer", description: "An API key, dsk_…" },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  if (deps.docs ?? true) {
    await app.register(swaggerUi, { routePrefix: "/api/docs", uiConfig: { url: "/api/openapi.json" } as never });
  }

  registerErrorHandler(app);
  registerAuthentication(app, { db: deps.db, clock: context.clock, idleMs: context.sessionIdleMs, absoluteMs: context.sessionAbsoluteMs });
  registerHealthRoutes(app, context);
  registerAuthRoutes(app, context);
  registerCompanyRoutes(app, context);
  registerDevposRoutes(app, context);
  registerQboRoutes(app, context);
  registerScheduleRoutes(app, context);
  registerRunRoutes(app, context);
  registerDocumentRoutes(app, context);
  registerZeroAmountDocumentRoutes(app, context);
  registerUserRoutes(app, context);
  registerApiKeyRoutes(app, context);
  registerAuditRoutes(app, context);

  app.get("/api/openapi.json", { schema: { hide: true }, config: { access: "public" } }, async () => app.swagger());
  return app;
}

/**
 * A hop count trusts that many proxies nearest to us (the client address is the one the
 * farthest of them saw); a list trusts exactly those proxy addresses. Never every hop.
 */
function trustProxyOption(trust: number | readonly string[]): string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === "number" ? (_address, hop) => hop < trust : [...trust];
}

/** Query strings can carry OAuth codes and states, so request logs show the path only. */
function serializeRequest(request: { method: string; url: string; id?: string }) {
  return { method: request.method, path: request.url.split("?")[0], id: request.id };
}
