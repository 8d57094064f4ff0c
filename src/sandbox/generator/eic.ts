import type { Rng } from "./rng.js";

const HEX = "0123456789abcdef";

/**
 * An EIC shaped like a UUID v4, drawn from the seeded rng (crypto.randomUUID would break
 * reproducibility).
 */
export function generateEic(rng: Rng): string {
  const chars: string[] = [];
  for (let i = 0; i < 32; i++) chars.push(HEX[rng.int(0, 15)] as string);
  chars[12] = "4";
  chars[16] = HEX[8 + rng.int(0, 3)] as string;
  const h = chars.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const EIC_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
