import { describe, expect, it } from "vitest";
import { parseQuery } from "../../../src/sandbox/qbo/api/query-parser.js";
import { QboFault } from "../../../src/sandbox/qbo/faults.js";

describe("parseQuery", () => {
  it("parses the full grammar", () => {
    expect(parseQuery("SELECT * FROM Invoice WHERE DocNumber = 'A\\'B' AND TotalAmt >= 10.5 AND Id IN ('1', '2') ORDERBY TxnDate DESC, Id STARTPOSITION 11 MAXRESULTS 10")).toEqual({
      entity: "Invoice",
      count: false,
      fields: "*",
      where: [
        { field: "DocNumber", op: "=", value: "A'B" },
        { field: "TotalAmt", op: ">=", value: 10.5 },
        { field: "Id", op: "IN", value: ["1", "2"] },
      ],
      orderBy: [{ field: "TxnDate", desc: true }, { field: "Id", desc: false }],
      startPosition: 11,
      maxResults: 10,
    });
  });

  it("accepts COUNT(*), projections, LIKE, booleans and lower-case keywords", () => {
    expect(parseQuery("select count(*) from customer").count).toBe(true);
    expect(parseQuery("select Id, DisplayName from Customer").fields).toEqual(["Id", "DisplayName"]);
    expect(parseQuery("select * from Customer where DisplayName like '%a%' and Active = false").where).toEqual([
      { field: "DisplayName", op: "LIKE", value: "%a%" },
      { field: "Active", op: "=", value: false },
    ]);
    expect(parseQuery("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2026-01-01'").where[0]!.field).toBe("MetaData.LastUpdatedTime");
  });

  it("rejects what QBO rejects", () => {
    for (const bad of ["SELECT * FROM Customer WHERE A = 'x' OR B = 'y'", "SELECT * FROM Customer WHERE DisplayName = 'open", "SELECT FROM Customer", "SELECT * FROM Customer MAXRESULTS 0", "SELECT * FROM Customer MAXRESULTS 1001", "SELECT * FROM Customer junk"]) {
      expect(() => parseQuery(bad), bad).toThrow(QboFault);
    }
  });
});
