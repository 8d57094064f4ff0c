import nodemailer, { type Transporter } from "nodemailer";
import { jitteredDelayMs, realSleep, type BackoffOptions, type Sleep } from "./backoff.js";

export interface EmailSenderOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; contains the password, so it is never logged. */
  smtpUrl: string;
  from: string;
  /** Connection, greeting and socket deadline (default 15 s). */
  timeoutMs?: number;
  /** Tries in all (default 3). */
  attempts?: number;
  backoff?: BackoffOptions;
  sleep?: Sleep;
  random?: () => number;
}

export interface EmailMessage {
  to: readonly string[];
  subject: string;
  text: string;
}

export type EmailResult = { ok: true; attempts: number; messageId: string } | { ok: false; attempts: number; error: string };

export interface EmailSender {
  send(message: EmailMessage): Promise<EmailResult>;
  /** Connects and authenticates without sending (doctor). */
  verify(): Promise<{ ok: true } | { ok: false; error: string }>;
  close(): void;
}

/** SMTP through nodemailer, with retries; never throws. */
export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const sleep = options.sleep ?? realSleep;
  const transport: Transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Never let nodemailer log the conversation (AUTH lines carry the password).
    logger: false,
    debug: false,
  } as Parameters<typeof nodemailer.createTransport>[0]);

  return {
    async send(message) {
      let lastError = "";
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const info = (await transport.sendMail({ from: options.from, to: [...message.to], subject: message.subject, text: message.text })) as { messageId?: string };
          return { ok: true, attempts: attempt, messageId: info.messageId ?? "" };
        } catch (error) {
          lastError = describeSmtpError(error);
          // 5xx from the server (bad recipient, refused sender) will not improve with time.
          const code = (error as { responseCode?: number }).responseCode;
          if (code !== undefined && code >= 500 && code < 600) return { ok: false, attempts: attempt, error: lastError };
        }
        if (attempt < attempts) await sleep(jitteredDelayMs(attempt - 1, options.backoff, options.random));
      }
      return { ok: false, attempts, error: `${lastError} (gave up after ${attempts} tries)` };
    },
    async verify() {
      try {
        await transport.verify();
        return { ok: true };
      } catch (error) {
        return { ok: false, error: describeSmtpError(error) };
      }
    },
    close: () => transport.close(),
  };
}

function describeSmtpError(error: unknown): string {
  const e = error as { code?: string; responseCode?: number; message?: string };
  const parts = [e.code, e.responseCode !== undefined ? String(e.responseCode) : undefined].filter(Boolean).join(" ");
  // nodemailer's messages quote the server's answer, not our credentials.
  return `${parts ? `${parts}: ` : ""}${(e.message ?? String(error)).slice(0, 300)}`;
}

/** The SMTP server's host and port, without credentials, for reports. */
export function describeSmtpUrl(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return `${url.protocol}//${url.hostname}${url.port ? `:${url.port}` : ""}`;
  } catch {
    return "(invalid SMTP_URL)";
  }
}
