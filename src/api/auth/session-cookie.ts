import type { FastifyReply } from "fastify";

export const SESSION_COOKIE = "devsync_session";
export const CSRF_HEADER = "x-csrf-token";

export const DEFAULT_SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const DEFAULT_SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;

/** HttpOnly so page scripts never read it, SameSite=Lax against cross-site writes, Secure over HTTPS. */
export function setSessionCookie(reply: FastifyReply, token: string, options: { secure: boolean; expiresAt: Date }): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: options.secure,
    expires: options.expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, options: { secure: boolean }): void {
  void reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "lax", secure: options.secure });
}
