import type { IncomingMessage } from "node:http";
import type { QboConfig } from "../options.js";
import type { RandomSource } from "../rng.js";

/**
 * Latency and failure injection. Dice come from the seeded random source so a seeded run fails
 * the same requests every time. Hung requests are parked until the server closes, when their
 * sockets are destroyed (otherwise Fastify's close would wait for them forever).
 */
export type ChaosVerdict = "proceed" | "error500" | "error503" | "hang";

/** What happens to a write's answer once the write committed. */
export type AfterCommitVerdict = "answer" | "lose" | "error500";

export interface Chaos {
  delayMs(batchItems: number): number;
  roll(isBatch: boolean): ChaosVerdict;
  afterCommit(): AfterCommitVerdict;
  /** True: leave this batch item out of the answer. */
  dropBatchItem(): boolean;
  /** True: answer this replayed batch with per-item faults. */
  faultReplay(): boolean;
  park(raw: IncomingMessage): Promise<never>;
  releaseAll(): void;
}

export function createChaos(config: () => QboConfig, random: RandomSource): Chaos {
  const parked = new Set<IncomingMessage>();
  return {
    delayMs(batchItems) {
      const { baseMs, perBatchItemMs, jitterMs } = config().latency;
      const jitter = jitterMs > 0 ? random.next() * jitterMs : 0;
      return Math.max(0, baseMs + perBatchItemMs * batchItems + jitter);
    },
    roll(isBatch) {
      const { errorRate, hangRate, batchErrorRate } = config().faults;
      if (hangRate > 0 && random.next() < hangRate) return "hang";
      if (errorRate > 0 && random.next() < errorRate) return random.next() < 0.5 ? "error500" : "error503";
      if (isBatch && batchErrorRate > 0 && random.next() < batchErrorRate) return random.next() < 0.5 ? "error500" : "error503";
      return "proceed";
    },
    afterCommit() {
      const { lostAnswerRate, errorAfterCommitRate } = config().faults;
      if (lostAnswerRate > 0 && random.next() < lostAnswerRate) return "lose";
      if (errorAfterCommitRate > 0 && random.next() < errorAfterCommitRate) return "error500";
      return "answer";
    },
    dropBatchItem() {
      const { missingBatchItemRate } = config().faults;
      return missingBatchItemRate > 0 && random.next() < missingBatchItemRate;
    },
    faultReplay() {
      const { replayItemFaultRate } = config().faults;
      return replayItemFaultRate > 0 && random.next() < replayItemFaultRate;
    },
    park(raw) {
      parked.add(raw);
      raw.socket.once("close", () => parked.delete(raw));
      return new Promise<never>(() => {});
    },
    releaseAll() {
      for (const raw of parked) raw.socket.destroy();
      parked.clear();
    },
  };
}

export const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
