import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { SMTPServer } from "smtp-server";
import { createLogger, type Logger } from "../../../src/logger.js";

export interface ReceivedEmail {
  from: string;
  to: string[];
  /** Headers unfolded, body decoded from quoted-printable. */
  subject: string;
  body: string;
  raw: string;
}

export interface SmtpReceiver {
  url: string;
  port: number;
  messages: ReceivedEmail[];
  authFailures: number;
  close(): Promise<void>;
}

/** A real SMTP server (the smtp-server package) on 127.0.0.1 that requires AUTH PLAIN/LOGIN. */
export async function startSmtpReceiver(credentials = { user: "alerts", pass: "smtp-pass-Zq81" }): Promise<SmtpReceiver> {
  const messages: ReceivedEmail[] = [];
  const state = { authFailures: 0 };
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      state.authFailures += 1;
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const split = raw.indexOf("\r\n\r\n");
        const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
        const body = raw.slice(split + 4).replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: /^Subject: (.*)$/im.exec(head)?.[1] ?? "",
          body: Buffer.from(body, "latin1").toString("utf8"),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}`,
    port,
    messages,
    get authFailures() {
      return state.authFailures;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, any>;
}

export interface WebhookReceiver {
  url: string;
  hooks: ReceivedHook[];
  /** Status codes to answer next, in order (then 200). */
  failNext(...statuses: number[]): void;
  /** Every request, failed ones included. */
  requests: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const hooks: ReceivedHook[] = [];
  const queue: number[] = [];
  const state = { requests: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      state.requests += 1;
      const status = queue.shift() ?? 200;
      if (status === 200) {
        const raw = Buffer.concat(chunks).toString("utf8");
        hooks.push({ headers: request.headers, raw, json: JSON.parse(raw) as Record<string, any> });
      }
      response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "try later");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/devsync?token=query-secret-9`,
    hooks,
    failNext: (...statuses) => queue.push(...statuses),
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger whose every line is kept, to prove secrets never reach it. */
export function capturingLogger(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), text: () => lines.join("") };
}
