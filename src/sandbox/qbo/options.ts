import type { SandboxClock } from "../clock.js";

export interface QboClientRegistration {
  clientId: string;
  clientSecret: string;
  /** Allowed redirect URIs; empty or absent accepts any (Intuit requires them registered). */
  redirectUris?: string[];
}

export interface QboLimits {
  /** Requests per minute per realm+app; a batch counts as one. Intuit: 500. */
  perMinute?: number;
  /** Requests in flight per realm+app. Intuit: 10. */
  concurrent?: number;
  /** Batch requests per minute per realm+app. Intuit: 40. */
  batchPerMinute?: number;
  /** Items allowed in one batch; more → fault 1040. Intuit documents 30. */
  maxBatchItems?: number;
}

export interface QboLatency {
  /** Added to every API call (ms). Default 0. */
  baseMs?: number;
  /** Added per batch item (ms). Default 0. */
  perBatchItemMs?: number;
  /** Uniform random extra in [0, jitterMs). Default 0. */
  jitterMs?: number;
}

export interface QboFaults {
  /** Probability that an API call fails with a 500 or 503 JSON fault before doing anything. Default 0. */
  errorRate?: number;
  /** Probability that an API call never answers (until the server closes). Default 0. */
  hangRate?: number;
  /** Probability that a /batch request fails with a 500 or 503 before doing anything. Default 0. */
  batchErrorRate?: number;
  /**
   * Faults AFTER a write committed (create, update, void, batch): the answer is lost (the
   * socket is closed) with this probability. A retry under the same requestid gets the stored
   * answer, as Intuit's idempotency promises. Default 0.
   */
  lostAnswerRate?: number;
  /** After a write committed, answer 500 instead of the result (stored for replay all the same). Default 0. */
  errorAfterCommitRate?: number;
  /** Each item of a batch answer is left out with this probability (the write behind it happened). Default 0. */
  missingBatchItemRate?: number;
  /**
   * A batch retried under a requestid already answered comes back with a per-item fault on every
   * item (as real QuickBooks has been reported to do) instead of the stored answer, with this
   * probability. Nothing is written again. Default 0.
   */
  replayItemFaultRate?: number;
}

export type QboRotation = "strict" | "sticky24h";

export interface QboSimulatorOptions {
  clock: SandboxClock;
  /** Seeds realm ids, tokens, jitter and fault dice. Default 1. */
  seed?: number;
  /** Registered OAuth apps. Default: the single {sandbox-client, sandbox-secret}; more via POST /_admin/clients. */
  clients?: QboClientRegistration[];
  /** strict (default): a refresh token dies when used. sticky24h: the same value is returned for 24 h and the previous one keeps working for 24 h after a change. */
  rotation?: QboRotation;
  limits?: QboLimits;
  latency?: QboLatency;
  faults?: QboFaults;
  /** Skip the consent page: the authorize URL redirects at once (a new realm unless sandbox_realm is given). Default false. */
  autoApprove?: boolean;
}

export type QboConfigPatch = Partial<Pick<QboSimulatorOptions, "rotation" | "limits" | "latency" | "faults" | "autoApprove">>;

export interface QboConfig {
  rotation: QboRotation;
  limits: Required<QboLimits>;
  latency: Required<QboLatency>;
  faults: Required<QboFaults>;
  autoApprove: boolean;
}

export const DEFAULT_CLIENT: QboClientRegistration = { clientId: "sandbox-client", clientSecret: "sandbox-secret" };

export function defaultConfig(): QboConfig {
  return {
    rotation: "strict",
    limits: { perMinute: 500, concurrent: 10, batchPerMinute: 40, maxBatchItems: 30 },
    latency: { baseMs: 0, perBatchItemMs: 0, jitterMs: 0 },
    faults: { errorRate: 0, hangRate: 0, batchErrorRate: 0, lostAnswerRate: 0, errorAfterCommitRate: 0, missingBatchItemRate: 0, replayItemFaultRate: 0 },
    autoApprove: false,
  };
}

/** Applies a patch; nested groups merge field by field so {limits:{perMinute:5}} keeps the rest. */
export function applyConfigPatch(config: QboConfig, patch: QboConfigPatch): QboConfig {
  const pick = <T extends object>(value: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    rotation: patch.rotation ?? config.rotation,
    limits: { ...config.limits, ...pick(patch.limits) },
    latency: { ...config.latency, ...pick(patch.latency) },
    faults: { ...config.faults, ...pick(patch.faults) },
    autoApprove: patch.autoApprove ?? config.autoApprove,
  };
}
