export { createDevposSimulator } from "./devpos-simulator.js";
export type { DevposSimulator, DevposSimulatorOptions } from "./devpos-simulator.js";
export type { DevposRow, StoredDocument } from "./devpos-row.js";
export type { SeedDocument } from "./seed-document.js";
export type { DevposLatency, DevposQuirks } from "./devpos-state.js";
export type { DevposTenantStats } from "./request-stats.js";
export { DEVPOS_TOKEN_LIFETIME_S } from "./devpos-tokens.js";
export { DEVPOS_ZONE, localDateOf } from "./tirane-time.js";
