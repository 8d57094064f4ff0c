import type { FastifyError, FastifyInstance } from "fastify";
import { ForeignKeyViolationError, NotFoundError, UniqueViolationError } from "../storage/errors.js";
import { errorEnvelope, HttpError } from "./http-error.js";

/**
 * Every failure leaves as the same JSON envelope. Client mistakes that Fastify detects itself
 * (malformed JSON, wrong content type, body too large) keep their 4xx status with a readable
 * message; anything unexpected is logged and answered with a bare 500 that reveals nothing.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorEnvelope("not_found", `No route for ${request.method} ${request.url.split("?")[0]}`));
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send(errorEnvelope(error.code, error.message, error.fields));
    }
    if (error instanceof NotFoundError) return reply.code(404).send(errorEnvelope("not_found", error.message));
    if (error instanceof UniqueViolationError) return reply.code(409).send(errorEnvelope("conflict", "That already exists."));
    if (error instanceof ForeignKeyViolationError) {
      return reply.code(409).send(errorEnvelope("conflict", "That refers to something that does not exist or is still in use."));
    }
    const status = (error as FastifyError).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      const code = (error as FastifyError).code ?? "bad_request";
      return reply.code(status).send(errorEnvelope(clientCode(status, code), error.message));
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).send(errorEnvelope("internal", "Something went wrong on our side. It has been logged."));
  });
}

function clientCode(status: number, fastifyCode: string): string {
  switch (fastifyCode) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "malformed_json";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "body_too_large";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return "unsupported_media_type";
    default:
      return status === 429 ? "rate_limited" : "bad_request";
  }
}
