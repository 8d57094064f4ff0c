import { describe, expect, it } from "vitest";
import { faultFromObject, isQboNotFound, parseQboFault, QboAuthenticationError, QboFault, QboThrottledError } from "../../../src/connectors/qbo/faults.js";

// Bodies copied from shared/fixtures/qbo-faults.json (captured shapes).
const FIXTURES = {
  validation_duplicate_name: {"Fault":{"Error":[{"Message":"Duplicate Name Exists Error","Detail":"The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name.","code":"6240","element":""}],"type":"ValidationFault"},"time":"2026-11-28T09:17:31.892-08:00"},
  stale_object: {"Fault":{"Error":[{"Message":"Stale Object Error","Detail":"Stale Object Error : You and API were working on this at the same time. API finished before you did, so your work was not saved.","code":"5010","element":""}],"type":"ValidationFault"},"time":"2026-11-28T09:17:31.892-08:00"},
  string_too_long: {"Fault":{"Error":[{"Message":"String length is either shorter or longer than supported by specification","Detail":"String length specified does not match the supported length. Min:0 Max:21 supplied length:24","code":"2050","element":"DocNumber"}],"type":"ValidationFault"},"time":"2026-11-28T09:17:31.892-08:00"},
  unauthorized_401: {"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired: AB0...","code":"3200","element":null}],"type":"AUTHENTICATION"},"report":null,"queryResponse":null,"batchItemResponse":[],"attachableResponse":[],"syncErrorResponse":null,"requestId":null,"time":1764329851892,"status":null,"cdcresponse":[]},
  throttled_429_xml: "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><IntuitResponse xmlns=\"http://schema.intuit.com/finance/v3\" time=\"2026-11-28T09:17:31.892-08:00\"><Fault type=\"SERVICE\"><Error code=\"3001\"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>",
};

describe("parseQboFault", () => {
  it("reads the JSON validation shape: code, type, element, detail", () => {
    const dup = parseQboFault(400, JSON.stringify(FIXTURES.validation_duplicate_name));
    expect(dup).toBeInstanceOf(QboFault);
    expect(dup).toMatchObject({ httpStatus: 400, type: "ValidationFault", code: "6240", element: "" });
    expect(dup.detail).toMatch(/already exists/);
    expect(dup.message).toContain("6240");
    expect(parseQboFault(400, JSON.stringify(FIXTURES.stale_object)).code).toBe("5010");
    expect(parseQboFault(400, JSON.stringify(FIXTURES.string_too_long))).toMatchObject({ code: "2050", element: "DocNumber" });
  });

  it("reads the gateway's lower-case 401 shape", () => {
    const fault = parseQboFault(401, JSON.stringify(FIXTURES.unauthorized_401));
    expect(fault).toBeInstanceOf(QboAuthenticationError);
    expect(fault).toMatchObject({ httpStatus: 401, type: "AUTHENTICATION", code: "3200", element: "" });
    expect(fault.errors[0]!.message).toMatch(/AuthenticationFailed/);
    expect(fault.detail).toBe("Token expired: AB0...");
  });

  it("reads the XML 429 even when JSON was asked for", () => {
    const fault = parseQboFault(429, FIXTURES.throttled_429_xml, { contentType: "application/xml", retryAfterMs: 1500 });
    expect(fault).toBeInstanceOf(QboThrottledError);
    expect(fault).toMatchObject({ httpStatus: 429, type: "SERVICE", code: "3001", retryAfterMs: 1500 });
    expect(fault.errors[0]).toEqual({
      code: "3001",
      element: "",
      message: "message=ThrottleExceeded; errorCode=003001; statusCode=429",
      detail: "The request limit was reached.  Try again later",
    });
  });

  it("never throws on odd bodies", () => {
    expect(parseQboFault(502, "<html>Bad gateway</html>")).toMatchObject({ httpStatus: 502, type: "SystemFault" });
    expect(parseQboFault(500, "")).toMatchObject({ httpStatus: 500 });
    expect(parseQboFault(429, "")).toBeInstanceOf(QboThrottledError);
    expect(parseQboFault(400, "{not json")).toMatchObject({ httpStatus: 400, type: "Unknown" });
  });

  it("batch item faults and not-found", () => {
    const item = faultFromObject(FIXTURES.validation_duplicate_name.Fault);
    expect(item).toMatchObject({ httpStatus: 400, code: "6240", type: "ValidationFault" });
    const notFound = faultFromObject({ Error: [{ Message: "Object Not Found", Detail: "", code: "610", element: "" }], type: "ValidationFault" });
    expect(isQboNotFound(notFound)).toBe(true);
    expect(isQboNotFound(parseQboFault(404, ""))).toBe(true);
    expect(isQboNotFound(parseQboFault(401, JSON.stringify(FIXTURES.unauthorized_401)))).toBe(false);
    expect(isQboNotFound(new Error("610"))).toBe(false);
  });
});
