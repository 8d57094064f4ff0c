import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import type { DbHandle } from "../../storage/db.js";

/** Liveness: the process answers and can reach its database. */
export function registerHealthRoutes(app: FastifyInstance, deps: { db: DbHandle }): void {
  app.get("/healthz", async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db.db);
      return { status: "ok", db: deps.db.dialect };
    } catch {
      return reply.code(503).send({ status: "error", db: deps.db.dialect });
    }
  });
}
