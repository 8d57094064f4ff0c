import type { z } from "zod";

/** One plain message per input field (the first problem found for it). */
export function zodFieldMessages(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "body";
    if (!(field in fields)) fields[field] = issue.message;
  }
  return fields;
}
