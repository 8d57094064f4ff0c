import { z } from "zod";
import type { User } from "../../storage/repos/users.js";
import { passwordProblem } from "../auth/password-policy.js";
import { iso, nullableInstant, instant, text } from "./common.js";

export const userSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["admin", "member"]),
  active: z.boolean(),
  last_login_at: nullableInstant,
  created_at: instant,
});

export function userOut(user: User): z.infer<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.active,
    last_login_at: iso(user.lastLoginAt),
    created_at: iso(user.createdAt),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emailField(field = "email") {
  return text(field, 254)
    .transform((v) => v.trim())
    .refine((v) => EMAIL.test(v), `${field} must be an email address such as anna@example.com`);
}

/** A password as typed at login: any text, bounded so hashing stays cheap. */
export const loginPassword = z
  .string({ error: (issue) => (issue.input === undefined ? "password is required" : "password must be text") })
  .min(1, "password is required")
  .max(1024, "password must be at most 1024 characters long");

/** For bodies with both an email and a new password: the password must not be the email. */
export function rejectOwnEmail(body: { email?: string; password?: string }, ctx: z.RefinementCtx): void {
  if (body.email === undefined || body.password === undefined) return;
  const problem = passwordProblem(body.password, { email: body.email });
  if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: `password ${problem}` });
}
