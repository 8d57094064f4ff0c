import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import helmet from "@fastify/helmet";
import type { Logger } from "../logger.js";
import type { DbHandle } from "../storage/db.js";
import { registerErrorHandler } from "./error-handler.js";
import { registerHealthRoutes } from "./routes/health.js";

export interface AppDeps {
  db: DbHandle;
  logger: Logger;
  /** Upper bound for request bodies; larger ones get 413. */
  bodyLimitBytes?: number;
}

/** Builds the HTTP app without listening: `serve` listens, tests call `app.inject()`. */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: { req: serializeRequest } }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 1_048_576,
    disableRequestLogging: false,
    requestIdHeader: false,
  });
  await app.register(helmet, { contentSecurityPolicy: false });
  registerErrorHandler(app);
  registerHealthRoutes(app, deps);
  return app;
}

/** Query strings can carry OAuth codes and states, so request logs show the path only. */
function serializeRequest(request: { method: string; url: string; id?: string }) {
  return { method: request.method, path: request.url.split("?")[0], id: request.id };
}
