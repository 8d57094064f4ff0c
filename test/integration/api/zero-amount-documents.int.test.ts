import { afterEach, beforeEach, expect, it } from "vitest";
import { getZeroAmountDocument } from "../../../src/storage/repos/zero-amount-documents.js";
import { describeEachDatabase } from "../../helpers/test-db.js";
import { ApiHarness } from "./harness.js";
import { buildScenario, type Scenario } from "./scenario.js";

describeEachDatabase("zero-amount documents API", (current) => {
  let api: ApiHarness;
  let s: Scenario;

  beforeEach(async () => {
    api = await ApiHarness.create(current());
    s = await buildScenario(api);
  });
  afterEach(async () => api?.close());

  const base = () => `/api/companies/${s.a.id}/zero-amount-documents`;

  it("confirm then reopen changes the row; a second confirm or reopen is a 409 naming the status", async () => {
    const confirm = () => api.call(s.memberA, "POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, { body: { note: "really zero" } });
    expect((await confirm()).status).toBe(200);
    const db = api.database.db;
    expect(await getZeroAmountDocument(db, s.a.id, s.a.zeroDocId)).toMatchObject({ status: "confirmed_zero", confirmedByUserId: s.memberA.userId, confirmedNote: "really zero" });
    const twice = await confirm();
    expect(twice.status).toBe(409);
    expect(twice.json.error).toMatchObject({ code: "wrong_status", message: expect.stringContaining("confirmed_zero") });
    expect((await api.call(s.memberA, "POST", `${base()}/${s.a.zeroDocId}/reopen`)).status).toBe(200);
    expect(await getZeroAmountDocument(db, s.a.id, s.a.zeroDocId)).toMatchObject({ status: "open", confirmedNote: null });
    const reopenOpen = await api.call(s.memberA, "POST", `${base()}/${s.a.zeroDocId}/reopen`);
    expect(reopenOpen.status).toBe(409);
    expect(reopenOpen.json.error.message).toContain("This one is open");
  });

  it("bad ids, bad notes and bad filters are 4xx naming the problem, never 500; nothing changes", async () => {
    const cases: [string, string, unknown, number, string][] = [
      ["POST", `${base()}/0/confirm-zero`, { note: "x" }, 400, "docId"],
      ["POST", `${base()}/abc/confirm-zero`, { note: "x" }, 400, "docId"],
      ["POST", `${base()}/99999999999/confirm-zero`, { note: "x" }, 400, "docId"],
      ["POST", `${base()}/123456/confirm-zero`, { note: "x" }, 404, "does not exist"],
      ["POST", `${base()}/123456/reopen`, undefined, 404, "does not exist"],
      ["POST", `/api/companies/${s.a.id}/zero-amount-documents/${s.b.zeroDocId}/reopen`, undefined, 404, "does not exist"],
      ["POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, {}, 400, "note is required"],
      ["POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, { note: "   " }, 400, "note must not be empty"],
      ["POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, { note: 5 }, 400, "note must be text"],
      ["POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, { note: "x".repeat(501) }, 400, "at most 500"],
      ["POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, { note: "ok", extra: true }, 400, "extra"],
      ["GET", `${base()}?status=closed`, undefined, 400, "status must be open, resolved or confirmed_zero"],
      ["GET", `${base()}?limit=0`, undefined, 400, "limit"],
      ["GET", `${base()}?cursor=not-a-cursor`, undefined, 400, "cursor"],
      ["GET", `/api/companies/abc/zero-amount-documents`, undefined, 400, "id"],
    ];
    for (const [method, url, body, status, words] of cases) {
      const res = await api.call(s.memberA, method, url, body === undefined ? {} : { body });
      const label = `${method} ${url} ${JSON.stringify(body)} → ${res.status} ${res.body}`;
      expect(res.status, label).toBe(status);
      expect(JSON.stringify(res.json.error), label).toContain(words);
    }
    expect(await getZeroAmountDocument(api.database.db, s.a.id, s.a.zeroDocId)).toMatchObject({ status: "open", confirmedNote: null });
  });

  it("a viewer may list but not confirm (403); a caller without the company gets 404", async () => {
    expect((await api.call(s.viewerA, "GET", base())).status).toBe(200);
    const forbidden = await api.call(s.viewerA, "POST", `${base()}/${s.a.zeroDocId}/confirm-zero`, { body: { note: "no" } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe("forbidden");
    expect((await api.call(s.memberA, "GET", `/api/companies/${s.b.id}/zero-amount-documents`)).status).toBe(404);
  });
});
