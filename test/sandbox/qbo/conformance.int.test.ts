import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OAuthClient from "intuit-oauth";
import QuickBooksModule from "node-quickbooks";
import type { QuickBooks as QuickBooksClass } from "node-quickbooks";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, connectedClient, startHarness, type Harness } from "./harness.js";

/**
 * Item 8 of issue 3: clients nobody here wrote must not be able to tell the simulator from
 * Intuit. Both libraries keep their endpoints in static properties; they are pointed at the
 * local server for the duration of this file and put back afterwards, so no test can reach
 * a real Intuit host.
 */
// node-quickbooks is CommonJS (module.exports = QuickBooks) while its typings declare a default export.
const QuickBooks = QuickBooksModule as unknown as typeof QuickBooksClass;

let h: Harness;
const savedOAuth = { authorizeEndpoint: OAuthClient.authorizeEndpoint, tokenEndpoint: OAuthClient.tokenEndpoint, revokeEndpoint: OAuthClient.revokeEndpoint };
const savedQbo = { V3_ENDPOINT_BASE_URL: QuickBooks.V3_ENDPOINT_BASE_URL, TOKEN_URL: QuickBooks.TOKEN_URL, REVOKE_URL: QuickBooks.REVOKE_URL };

beforeAll(async () => {
  h = await startHarness();
  OAuthClient.authorizeEndpoint = `${h.base}/connect/oauth2`;
  OAuthClient.tokenEndpoint = `${h.base}/oauth2/v1/tokens/bearer`;
  OAuthClient.revokeEndpoint = `${h.base}/v2/oauth2/tokens/revoke`;
  QuickBooks.V3_ENDPOINT_BASE_URL = `${h.base}/v3/company/`;
  QuickBooks.TOKEN_URL = `${h.base}/oauth2/v1/tokens/bearer`;
  QuickBooks.REVOKE_URL = `${h.base}/v2/oauth2/tokens/revoke`;
});
afterAll(async () => {
  Object.assign(OAuthClient, savedOAuth);
  Object.assign(QuickBooks, savedQbo);
  await h.close();
});

describe("intuit-oauth", () => {
  it("completes authorization code exchange, refresh and revoke", async () => {
    const client = new OAuthClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, environment: "sandbox", redirectUri: REDIRECT_URI, includeRefreshTokenHardExpiresIn: true });
    const authorizeUrl = client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: "intuit-state" });
    expect(authorizeUrl.startsWith(h.base)).toBe(true);
    h.sim.configure({ autoApprove: true });
    const redirect = await fetch(authorizeUrl, { redirect: "manual" });
    h.sim.configure({ autoApprove: false });
    const callbackUrl = redirect.headers.get("location")!;
    expect(new URL(callbackUrl).searchParams.get("state")).toBe("intuit-state");

    const created = await client.createToken(callbackUrl);
    const token = created.getToken();
    expect(token.realmId).toBe(new URL(callbackUrl).searchParams.get("realmId"));
    expect(token.access_token).toBeTruthy();
    expect(token.expires_in).toBe(3600);
    expect(token.x_refresh_token_hard_expires_in).toBeGreaterThan(0);
    expect(client.isAccessTokenValid()).toBe(true);

    const firstRefresh = token.refresh_token;
    const refreshed = await client.refresh();
    expect(refreshed.getToken().refresh_token).not.toBe(firstRefresh);
    expect(refreshed.getToken().access_token).not.toBe(token.access_token);

    // The old refresh token is dead under strict rotation; the client surfaces invalid_grant.
    const stale = await client.refreshUsingToken(firstRefresh!).then(() => undefined, (e: { error?: string }) => e);
    expect(stale?.error).toBe("invalid_grant");

    const live = await client.refreshUsingToken(refreshed.getToken().refresh_token!);
    const accessToken = live.getToken().access_token!;
    const revoked = await client.revoke();
    expect(revoked.status()).toBe(200);
    const after = await fetch(`${h.base}/v3/company/${token.realmId}/preferences`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(after.status).toBe(401);
  });
});

describe("node-quickbooks", () => {
  const call = <T>(fn: (cb: (err: unknown, data: T) => void) => void) =>
    new Promise<{ err: unknown; data: T }>((resolve) => fn((err, data) => resolve({ err, data })));

  it("creates a customer and an invoice, queries them back, and gets 6240 for a duplicate name", async () => {
    const { realmId, tokens } = await connectedClient(h);
    const qbo = new QuickBooks(CLIENT_ID, CLIENT_SECRET, tokens.access_token, false, realmId, true, false, "75", "2.0", tokens.refresh_token);
    expect(qbo.endpoint).toBe(`${h.base}/v3/company/`);

    const customer = await call<any>((cb) => qbo.createCustomer({ DisplayName: "Tregtia O'Neil sh.p.k." } as any, cb));
    expect(customer.err).toBeNull();
    expect(customer.data).toMatchObject({ DisplayName: "Tregtia O'Neil sh.p.k.", SyncToken: "0" });

    const invoice = await call<any>((cb) =>
      qbo.createInvoice({
        CustomerRef: { value: customer.data.Id },
        DocNumber: "12/2026",
        GlobalTaxCalculation: "TaxInclusive",
        Line: [{ Amount: 200.42, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { ItemRef: { value: "1" }, TaxCodeRef: { value: "1" }, TaxInclusiveAmt: 240.5 } }],
      } as any, cb),
    );
    expect(invoice.err).toBeNull();
    expect(invoice.data.TotalAmt).toBe(240.5);

    const customers = await call<any>((cb) => qbo.findCustomers({ DisplayName: "Tregtia O'Neil sh.p.k." } as any, cb));
    expect(customers.err).toBeNull();
    expect(customers.data.QueryResponse.Customer.map((c: any) => c.Id)).toEqual([customer.data.Id]);

    const invoices = await call<any>((cb) => qbo.findInvoices([{ field: "CustomerRef", value: customer.data.Id }, { field: "DocNumber", value: "12/2026" }] as any, cb));
    expect(invoices.data.QueryResponse.Invoice.map((i: any) => i.Id)).toEqual([invoice.data.Id]);

    const count = await call<any>((cb) => qbo.findInvoices({ count: true } as any, cb));
    expect(count.data.QueryResponse.totalCount).toBe(1);

    const read = await call<any>((cb) => qbo.getInvoice(invoice.data.Id, cb));
    expect(read.data.DocNumber).toBe("12/2026");

    const updated = await call<any>((cb) => qbo.updateInvoice({ Id: invoice.data.Id, SyncToken: "0", PrivateNote: "DevPos EIC x" } as any, cb));
    expect(updated.data.SyncToken).toBe("1");

    const duplicate = await call<any>((cb) => qbo.createVendor({ DisplayName: "Tregtia O'Neil sh.p.k." } as any, cb));
    // QBO answers validation faults with HTTP 400, so node-quickbooks hands over axios's error.
    const faultBody = (duplicate.err as any).response.data;
    expect((duplicate.err as any).response.status).toBe(400);
    expect(faultBody.Fault.Error[0]).toMatchObject({ code: "6240", Message: "Duplicate Name Exists Error" });

    const voided = await call<any>((cb) => qbo.voidInvoice(invoice.data.Id, cb));
    expect(voided.data.Invoice.TotalAmt).toBe(0);

    const batch = await call<any>((cb) => qbo.batch([{ bId: "1", operation: "create", Customer: { DisplayName: "Batch via client" } } as any], cb));
    expect(batch.data.BatchItemResponse[0].Customer.DisplayName).toBe("Batch via client");

    const refreshed = await call<any>((cb) => qbo.refreshAccessToken(cb));
    expect(refreshed.err).toBeNull();
    expect(qbo.token).toBe(refreshed.data.access_token);
    const revoked = await call<any>((cb) => qbo.revokeAccess(true, cb));
    expect(revoked.err).toBeNull();
  });
});
