/**
 * Seeded PRNG (mulberry32). Its whole state is one 32-bit integer kept inside the simulator
 * state, so a snapshot restored later continues the same sequence and two runs with the same
 * seed hand out the same realm ids and tokens.
 */
export interface RandomSource {
  next(): number; // [0, 1)
  int(maxExclusive: number): number;
  token(length: number, alphabet?: string): string;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function createRandomSource(holder: { rngState: number }): RandomSource {
  const next = (): number => {
    holder.rngState = (holder.rngState + 0x6d2b79f5) | 0;
    let t = holder.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  const token = (length: number, alphabet = ALPHANUMERIC): string => {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
    return out;
  };
  return { next, int, token };
}
