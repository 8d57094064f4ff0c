import { afterEach, beforeEach, expect, it } from "vitest";
import { markReauthRequired, saveConnectedTokens } from "../../../src/storage/repos/qbo-connections.js";
import { listRuns } from "../../../src/storage/repos/sync-runs.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { ApiHarness, T0, type Client } from "./harness.js";

/** Issue 14 item 3: a manual run of a company whose QuickBooks grant was refused is refused too. */
describeEachDatabase("manual run while QuickBooks needs reconnecting", (current) => {
  let api: ApiHarness;
  let admin: Client;
  let companyId: number;

  beforeEach(async () => {
    api = await ApiHarness.create(current());
    admin = await api.setupAdmin();
    companyId = (await api.createCompany(admin, "K14141414A", "Reauth shpk")).id;
    const day = 86_400_000;
    await saveConnectedTokens(current().db, api.box, {
      companyId,
      realmId: "9130355",
      environment: "sandbox",
      tokens: { accessToken: "access-14", refreshToken: "refresh-14", accessExpiresAt: new Date(T0.getTime() + 3_600_000), refreshExpiresAt: new Date(T0.getTime() + 100 * day) },
      now: T0,
    });
  });
  afterEach(async () => api.close());

  it("answers 409 qbo_reauth_required naming the fix and queues nothing; once connected, a run is queued", async () => {
    await markReauthRequired(current().db, companyId, "invalid_grant", T0);
    const refused = await api.call(admin, "POST", `/api/companies/${companyId}/runs`, { body: { job_type: "sales", days: 7 } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("qbo_reauth_required");
    expect(refused.json.error.message).toContain("QuickBooks needs reconnecting");
    expect(refused.json.error.message).toContain("Reconnect QuickBooks");
    expect((await listRuns(current().db, { companyId })).items).toHaveLength(0);

    const other = (await api.createCompany(admin, "K14141415A", "Connected shpk")).id;
    await saveConnectedTokens(current().db, api.box, {
      companyId: other,
      realmId: "9130356",
      environment: "sandbox",
      tokens: { accessToken: "access-15", refreshToken: "refresh-15", accessExpiresAt: new Date(T0.getTime() + 3_600_000), refreshExpiresAt: new Date(T0.getTime() + 86_400_000) },
      now: T0,
    });
    const accepted = await api.call(admin, "POST", `/api/companies/${other}/runs`, { body: { job_type: "sales", days: 7 } });
    expect(accepted.status, accepted.body).toBe(202);
  });
});
