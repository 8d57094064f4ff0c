/** DevPos failures, classified in ../retry-policy.ts. */

/** DevPos refused the login (400 invalid_grant): wrong username, password or tenant. Permanent. */
export class DevposCredentialsError extends Error {
  override readonly name = "DevposCredentialsError";
  constructor(readonly companyId: number, readonly detail: string) {
    super(`DevPos refused the login of company ${companyId} (${detail}): check the DevPos username, password and NUIS`);
  }
}

/** The company has no DevPos login stored. */
export class DevposNotConfiguredError extends Error {
  override readonly name = "DevposNotConfiguredError";
  constructor(readonly companyId: number) {
    super(`company ${companyId} has no DevPos login`);
  }
}

/** A DevPos answer we could not use. 5xx (other than the handled list 500s) and 429 are transient. */
export class DevposHttpError extends Error {
  override readonly name = "DevposHttpError";
  constructor(readonly httpStatus: number, readonly endpoint: string, readonly bodySnippet: string) {
    super(`DevPos ${endpoint} answered ${httpStatus}${bodySnippet ? `: ${bodySnippet}` : ""}`);
  }
}

/** The API still answered 401 with a token from a fresh login. */
export class DevposAuthError extends Error {
  override readonly name = "DevposAuthError";
  constructor(readonly companyId: number, readonly endpoint: string) {
    super(`DevPos ${endpoint} refused a freshly issued token for company ${companyId}`);
  }
}

/** A list answered 200 with something other than a JSON array. */
export class DevposResponseError extends Error {
  override readonly name = "DevposResponseError";
  constructor(readonly endpoint: string, message: string) {
    super(`DevPos ${endpoint}: ${message}`);
  }
}
