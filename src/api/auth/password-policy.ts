import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

// The ~49,000 most common passwords of leaked lists, as zxcvbn-ts ships and maintains them;
// built on first use so importing this module costs nothing.
let common: Set<string> | undefined;

function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

/**
 * Plain-words reason a new password is refused ("must …", to follow "password"), or undefined
 * when it is acceptable: too short or long, one of the common passwords guessed first, or the
 * account's own email (or its name part), which anyone who knows the address tries first.
 */
export function passwordProblem(password: string, account: { email?: string } = {}): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  if (isCommonPassword(password)) return "is one of the most common passwords; choose a less guessable one";
  const email = account.email?.trim().toLowerCase();
  if (email) {
    const typed = password.trim().toLowerCase();
    if (typed === email || typed === email.split("@")[0]) return "must not be the account's email address";
  }
  return undefined;
}

/** A new password in a request body; the own-email rule needs the email, see `rejectOwnEmail`. */
export function newPasswordField(field = "password") {
  return z.string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be text`) }).superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: `${field} ${problem}` });
  });
}
