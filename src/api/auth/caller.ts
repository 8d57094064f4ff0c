import type {} from "@fastify/cookie";
import type { ApiKey } from "../../storage/repos/api-keys.js";
import type { User } from "../../storage/repos/users.js";

/** Who is making a request: a logged-in user (session cookie) or an API key (Bearer). */
export type Caller = UserCaller | ApiKeyCaller;

export interface UserCaller {
  kind: "user";
  user: User;
  session: { id: number; tokenHash: string; csrfHash: string; csrfToken: string };
}

export interface ApiKeyCaller {
  kind: "api_key";
  apiKey: ApiKey;
}

/** Where a route may be called from: anyone, any authenticated caller, or admins only. */
export type RouteAccess = "public" | "authenticated" | "admin";

declare module "fastify" {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export function isAdmin(caller: Caller | null): boolean {
  return caller?.kind === "user" && caller.user.role === "admin";
}

/** How the audit log names the caller: the email, or the key's name and prefix. */
export function callerLabel(caller: Caller | null): string {
  if (!caller) return "anonymous";
  return caller.kind === "user" ? caller.user.email : `key ${caller.apiKey.name} (${caller.apiKey.prefix}…)`;
}
