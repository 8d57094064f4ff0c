import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { migrationStatus } from "../../storage/migrate.js";
import type { ApiContext } from "../context.js";
import { typed } from "../context.js";
import { createDatabaseMetrics, renderMetrics } from "../metrics.js";

const healthSchema = z.object({ status: z.enum(["ok", "error"]), db: z.string() });
const readySchema = z.object({
  status: z.enum(["ready", "not_ready"]),
  db: z.string(),
  checks: z.object({ database: z.boolean(), migrations: z.enum(["current", "pending", "too_new", "unknown"]) }),
  pending_migrations: z.array(z.string()),
});

/** Liveness, readiness and Prometheus metrics: public, for load balancers and scrapers. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = typed(app);
  const { db } = ctx;

  r.get(
    "/healthz",
    { schema: { tags: ["health"], summary: "Liveness: the process answers and reaches its database", response: { 200: healthSchema, 503: healthSchema } }, config: { access: "public" } },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(db.db);
        return { status: "ok" as const, db: db.dialect };
      } catch {
        return reply.code(503).send({ status: "error" as const, db: db.dialect });
      }
    },
  );

  r.get(
    "/readyz",
    {
      schema: { tags: ["health"], summary: "Readiness: database reachable and every migration applied", response: { 200: readySchema, 503: readySchema } },
      config: { access: "public" },
    },
    async (_request, reply) => {
      let database = false;
      let migrations: "current" | "pending" | "too_new" | "unknown" = "unknown";
      let pending: string[] = [];
      try {
        await sql`select 1`.execute(db.db);
        database = true;
        const status = await migrationStatus(db);
        pending = status.pending;
        migrations = status.unknown.length > 0 ? "too_new" : status.pending.length > 0 ? "pending" : "current";
      } catch {
        // Reported as not ready below.
      }
      const ready = database && migrations === "current";
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", db: db.dialect, checks: { database, migrations }, pending_migrations: pending });
    },
  );

  const databaseMetrics = createDatabaseMetrics(db, ctx.clock);
  app.get("/metrics", { schema: { hide: true }, config: { access: "public" } }, async (_request, reply) => {
    try {
      const { contentType, body } = await renderMetrics(databaseMetrics);
      return reply.type(contentType).send(body);
    } catch (error) {
      app.log.warn({ err: error }, "metrics scrape failed");
      return reply.code(503).type("text/plain").send("# metrics unavailable: database not reachable\n");
    }
  });
}
