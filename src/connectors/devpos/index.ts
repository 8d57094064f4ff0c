export { createDevposClient } from "./devpos-client.js";
export type { DevposClient, DevposClientDeps, DevposClientOptions, DevposCompanyClient, DevposListResult, DevposWarning } from "./devpos-client.js";
export type { DateWindow } from "./date-range.js";
export type { DevposRawPayload, DevposRawPayloadSink } from "./raw-payload.js";
export { DevposAuthError, DevposCredentialsError, DevposHttpError, DevposNotConfiguredError, DevposResponseError } from "./errors.js";
