import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Clock } from "../clock.js";
import type { AppDeps } from "./deps.js";

/** What every route module receives: the dependencies, resolved defaults included. */
export interface ApiContext {
  deps: AppDeps;
  db: AppDeps["db"];
  clock: Clock;
  /** Cookies get `Secure` when devsync is reached over HTTPS. */
  secureCookies: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
}

/** The app as route modules see it: typed by the zod provider. */
export type RouteApp = ReturnType<typeof typed>;

export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}
