import type { SandboxClock } from "../clock.js";
import type { RandomSource } from "./rng.js";
import type { QboState, RealmState } from "./state.js";
import type { CreateRealmOptions } from "./realm-seed.js";

/**
 * What every route module gets: the live state (replaced wholesale on restore/reset, hence a
 * getter), the clock, the seeded random source and a realm factory.
 */
export interface SimulatorContext {
  readonly state: QboState;
  readonly clock: SandboxClock;
  readonly random: RandomSource;
  createRealm(options?: CreateRealmOptions): RealmState;
  reset(): void;
}
