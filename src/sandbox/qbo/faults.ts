/**
 * Intuit's fault bodies. API faults use capitalised keys ({"Fault":{"Error":[…]}}); the 401
 * from the gateway uses lower-case keys and a pile of null siblings; throttling is XML even
 * when JSON was asked for. Shapes copied from captured responses (shared/fixtures/qbo-faults.json).
 */
export interface FaultError {
  Message: string;
  Detail: string;
  code: string;
  element: string;
}

export type FaultType = "ValidationFault" | "SystemFault" | "AuthenticationFault" | "AUTHENTICATION" | "SERVICE";

/** Thrown inside handlers; the route layer turns it into a JSON response (or a batch item Fault). */
export class QboFault extends Error {
  constructor(
    readonly status: number,
    readonly errors: FaultError[],
    readonly type: FaultType = "ValidationFault",
  ) {
    super(errors[0]?.Message ?? "fault");
  }
  body(): { Fault: { Error: FaultError[]; type: FaultType } } {
    return { Fault: { Error: this.errors, type: this.type } };
  }
}

const validation = (code: string, Message: string, Detail: string, element = ""): QboFault =>
  new QboFault(400, [{ Message, Detail, code, element }]);

const BUSINESS = "A business validation error has occurred while processing your request";

export const faults = {
  duplicateName: (what = "Another customer, vendor or employee is already using this name.") =>
    validation("6240", "Duplicate Name Exists Error", `The name supplied already exists. : ${what} Please use a different name.`),
  duplicateDocNumber: (docNumber: string) =>
    validation("6140", "Duplicate Document Number Error", `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=Invoice with TxnId=`),
  staleObject: () =>
    validation("5010", "Stale Object Error", "Stale Object Error : You and API were working on this at the same time. API finished before you did, so your work was not saved."),
  stringTooLong: (element: string, max: number, length: number) =>
    validation("2050", "String length is either shorter or longer than supported by specification", `String length specified does not match the supported length. Min:0 Max:${max} supplied length:${length}`, element),
  requiredMissing: (element: string) =>
    validation("2020", "Required param missing, need to supply the required value for the API", `Required parameter ${element} is missing in the request`, element),
  invalidReference: (kind: string, id: string, element: string) =>
    validation("6000", BUSINESS, `Business Validation Error: Invalid Reference Id: ${kind} ${id} does not exist or has been deleted.`, element),
  business: (detail: string, element = "") => validation("6000", BUSINESS, `Business Validation Error: ${detail}`, element),
  objectNotFound: (entity: string, id: string) =>
    validation("610", "Object Not Found", `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. (${entity} ${id})`),
  invalidProperty: (detail: string, element = "") =>
    validation("2010", "Request has invalid or unsupported property", `Property Name:${detail} specified is unsupported or invalid`, element),
  queryParse: (detail: string) => validation("4000", "Error parsing query", `QueryParserError: ${detail}`),
  queryValidation: (detail: string) => validation("4001", "Invalid query", `QueryValidationError: ${detail}`),
  batchTooLarge: (max: number, got: number) =>
    validation("1040", "Request has too many batch items", `Batch request contains ${got} items; the maximum is ${max}.`),
  unsupportedOperation: (detail: string) =>
    validation("2030", "Invalid ID", `Unsupported Operation: ${detail}`),
  internal: () =>
    new QboFault(500, [{ Message: "An application error has occurred while processing your request", Detail: "System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again. If the problem persists, contact customer support.", code: "10000", element: "" }], "SystemFault"),
  unavailable: () =>
    new QboFault(503, [{ Message: "Service Unavailable", Detail: "The service is temporarily unavailable. Please try again later.", code: "3003", element: "" }], "SystemFault"),
  forbiddenRealm: () =>
    new QboFault(403, [{ Message: "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", Detail: "", code: "3100", element: "" }], "AuthenticationFault"),
};

/** The gateway's 401 (lower-case keys, numeric epoch time). */
export function authenticationFailedBody(detail: string, nowMs: number): Record<string, unknown> {
  return {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, code: "3200", element: null }],
      type: "AUTHENTICATION",
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: nowMs,
    status: null,
    cdcresponse: [],
  };
}

export function throttledXml(time: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="${time}">` +
    `<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>` +
    `<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>`
  );
}

/** OAuth token endpoint error bodies, exactly as Intuit sends them. */
export const oauthErrors = {
  invalidClient: { error: "invalid_client" },
  invalidGrantRefresh: { error_description: "Incorrect or invalid refresh token", error: "invalid_grant" },
  invalidGrantCode: { error: "invalid_grant" },
  invalidRequest: { error: "invalid_request" },
  unsupportedGrantType: { error: "unsupported_grant_type" },
} as const;
