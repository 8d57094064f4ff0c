import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { errorEnvelope } from "./http-error.js";

/**
 * Answers for requests Fastify refuses before any route or hook runs, in our JSON envelope
 * like every other error: a path that is not valid percent-encoding (`/api/%E0%A4%A`) and a
 * path segment longer than the router accepts (414). Passed as Fastify's `frameworkErrors`.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.raw.url?.split("?")[0] ?? "";
  switch (error.code) {
    case "FST_ERR_BAD_URL":
      void reply.code(400).send(errorEnvelope("bad_url", "The address is not valid: it has a malformed percent-encoding."));
      return;
    case "FST_ERR_MAX_PARAM_LENGTH":
      void reply.code(414).send(errorEnvelope("uri_too_long", `The address is too long (${path.length} characters).`));
      return;
    default:
      request.log.error({ err: error }, "framework error before routing");
      void reply.code(500).send(errorEnvelope("internal", "Something went wrong on our side. It has been logged."));
  }
}

/**
 * Requests Node's HTTP parser refuses (headers or request line over its limit, garbage bytes,
 * timeouts) never reach Fastify; they still get the envelope instead of Fastify's own shape.
 * Passed as Fastify's `clientErrorHandler`.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "request_timeout", "The request took too long to arrive."]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "headers_too_large", "The address or the request headers are too large."]
        : [400, "bad_request", "The request is not valid HTTP."];
  const body = JSON.stringify(errorEnvelope(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
