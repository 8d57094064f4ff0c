import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ForeignKeyViolationError, NotFoundError, UniqueViolationError } from "../storage/errors.js";
import { InvalidCursorError } from "../storage/repos/repo-helpers.js";
import { RealmInUseError } from "../storage/repos/qbo-connections.js";
import { errorEnvelope, HttpError } from "./http-error.js";

/**
 * Every failure leaves as the same JSON envelope. Client mistakes that Fastify detects itself
 * (malformed JSON, wrong content type, body too large) keep their 4xx status with a readable
 * message; schema validation answers 400 with one message per bad field; anything unexpected
 * is logged and answered with a bare 500 that reveals nothing.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorEnvelope("not_found", `No route for ${request.method} ${request.url.split("?")[0]}`));
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send(errorEnvelope(error.code, error.message, error.fields));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = (error as FastifyError).validationContext ?? "body";
      const fields = validationFields(error.validation, context);
      const where = context === "body" ? "request body" : context === "querystring" ? "query string" : context === "params" ? "address" : context;
      return reply.code(400).send(errorEnvelope("validation_failed", `The ${where} has ${Object.keys(fields).length === 1 ? "a problem" : "problems"}: ${Object.values(fields).join("; ")}`, fields));
    }
    if (error instanceof InvalidCursorError) {
      return reply.code(400).send(errorEnvelope("validation_failed", "cursor is not a cursor this list handed out", { cursor: "cursor is invalid" }));
    }
    if (error instanceof NotFoundError) return reply.code(404).send(errorEnvelope("not_found", `That ${error.entity} does not exist.`));
    if (error instanceof RealmInUseError) {
      return reply.code(409).send(errorEnvelope("realm_in_use", "That QuickBooks company is already connected to another devsync company."));
    }
    if (error instanceof UniqueViolationError) return reply.code(409).send(errorEnvelope("conflict", "That already exists."));
    if (error instanceof ForeignKeyViolationError) {
      return reply.code(409).send(errorEnvelope("conflict", "That refers to something that does not exist or is still in use."));
    }
    const status = (error as FastifyError).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      const code = (error as FastifyError).code ?? "bad_request";
      return reply.code(status).send(errorEnvelope(clientCode(status, code), clientMessage(code, error.message)));
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).send(errorEnvelope("internal", "Something went wrong on our side. It has been logged."));
  });
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** One message per field (the first, most basic one); unknown keys are named one by one. */
export function validationFields(issues: readonly ValidationIssue[], context: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const fallback = context === "body" ? "body" : context;
  for (const issue of issues) {
    if (issue.keyword === "unrecognized_keys" && Array.isArray(issue.params?.keys)) {
      const parent = issue.instancePath.split("/").filter(Boolean).join(".");
      for (const key of issue.params.keys as string[]) {
        const name = parent ? `${parent}.${key}` : key;
        fields[name] ??= `${name} is not a known field`;
      }
      continue;
    }
    const path = issue.instancePath.split("/").filter(Boolean).join(".");
    const field = path || fallback;
    fields[field] ??= messageFor(field, issue);
  }
  return fields;
}

function messageFor(field: string, issue: ValidationIssue): string {
  const message = issue.message ?? "is invalid";
  // Our own schemas write messages that start with the field name; zod's defaults do not.
  if (message.startsWith(field.split(".").at(-1) ?? field) || message.startsWith("the ")) return message;
  if (/^Invalid input: expected \w+, received undefined$/.test(message)) return `${field} is required`;
  return `${field}: ${message}`;
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
      return status === 429 ? "rate_limited" : status === 404 ? "not_found" : "bad_request";
  }
}

function clientMessage(fastifyCode: string, message: string): string {
  switch (fastifyCode) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return "The request body is not valid JSON.";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "The request says it carries JSON but the body is empty.";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "The request body is too large.";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "Send the request body as JSON (Content-Type: application/json).";
    default:
      return message;
  }
}
