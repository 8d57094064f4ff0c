import type { FastifyInstance } from "fastify";

/**
 * Intuit's endpoints accept form posts (token endpoint, consent form), JSON with possibly empty
 * bodies (revoke), `application/text` queries and multipart uploads. Registered inside the
 * plugin so the host app's parsers are untouched.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === "") return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new Error("malformed JSON"), { statusCode: 400, code: "QBO_MALFORMED_JSON" });
      done(error, undefined);
    }
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser(["application/text", "text/plain"], { parseAs: "string" }, (_req, body, done) => {
    done(null, String(body));
  });
  app.addContentTypeParser("multipart/form-data", { parseAs: "buffer", bodyLimit: 100 * 1024 * 1024 }, (_req, body, done) => {
    done(null, body);
  });
}
