import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-devsync-signature";
export const TIMESTAMP_HEADER = "x-devsync-timestamp";
export const EVENT_HEADER = "x-devsync-event";
export const DELIVERY_HEADER = "x-devsync-delivery";

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the value of X-Devsync-Signature. */
export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/** Constant-time check a receiver runs on the raw body before parsing it. */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, header: string | undefined | null): boolean {
  if (typeof header !== "string") return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
