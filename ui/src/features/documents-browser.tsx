import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, query } from "../api/client";
import { paths } from "../api/paths";
import { qboDocumentUrl, useQbo } from "../api/queries";
import type { Company, Page, SyncedDocument } from "../api/types";
import { EmptyState, ErrorMessage, LoadMore, Loading, SelectField, TextField } from "../components/ui";
import { formatDate, formatMoney } from "../lib/format";
import { Link } from "../lib/router";
import { useDebounced } from "../lib/use-debounced";

/** Documents devsync has put into QuickBooks, with filters; each links to QuickBooks and its sync. */
export function DocumentsBrowser({ company }: { company: Company }) {
  const [kind, setKind] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [search, setSearch] = useState("");
  const [voided, setVoided] = useState("");
  const term = useDebounced(search.trim(), 300);
  const qbo = useQbo(company.id);
  const docs = useInfiniteQuery({
    queryKey: ["company", company.id, "documents", { kind, from, to, term, voided }],
    queryFn: ({ pageParam }) => api.get<Page<SyncedDocument>>(paths.companyDocuments(company.id) + query({ kind, from, to, search: term, voided, cursor: pageParam, limit: 50 })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = docs.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(kind || from || to || term || voided);
  return (
    <>
      <div className="filters" role="search" aria-label="Filter documents">
        <TextField className="field-grow" label="Search" type="search" placeholder="Document number or EIC" value={search} onChange={(e) => setSearch(e.target.value)} />
        <SelectField
          label="Type"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          options={[
            { value: "", label: "Sales and purchases" },
            { value: "sale", label: "Sales (invoices)" },
            { value: "purchase", label: "Purchases (bills)" },
          ]}
        />
        <SelectField
          label="Voided"
          value={voided}
          onChange={(e) => setVoided(e.target.value)}
          options={[
            { value: "", label: "All" },
            { value: "false", label: "Not voided" },
            { value: "true", label: "Voided only" },
          ]}
        />
        <TextField label="Dated from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label="Dated to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      {docs.isPending && <Loading label="Loading documents…" />}
      {docs.error && <ErrorMessage error={docs.error} onRetry={() => void docs.refetch()} />}
      {docs.isSuccess && rows.length === 0 && (
        <div className="card">
          <EmptyState title={filtered ? "No document matches these filters" : "No documents synced yet"}>
            <p>{filtered ? "Try other dates or clear the search." : "Documents appear here once a sync has sent them to QuickBooks."}</p>
          </EmptyState>
        </div>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table">
            <caption className="visually-hidden">Synced documents of {company.name}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">DevPos number</th>
                <th scope="col">Type</th>
                <th scope="col">QuickBooks</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Last sync</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const url = qboDocumentUrl(d.qbo_type, d.qbo_id, qbo.data?.environment);
                return (
                  <tr key={d.id}>
                    <td data-label="Date" className="nowrap">
                      {formatDate(d.txn_date)}
                    </td>
                    <td data-label="DevPos number">
                      {d.doc_number ?? "—"}
                      {d.voided_at && <span className="badge badge-warn" style={{ marginLeft: "0.4rem" }}>Voided</span>}
                    </td>
                    <td data-label="Type">{d.kind === "sale" ? "Sale" : d.kind === "purchase" ? "Purchase" : d.kind}</td>
                    <td data-label="QuickBooks">
                      {url ? (
                        <a href={url} target="_blank" rel="noreferrer">
                          {d.qbo_type} {d.qbo_id}
                          <span className="visually-hidden"> (opens QuickBooks in a new tab)</span>
                        </a>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td data-label="Amount" className="num">
                      {formatMoney(d.amount_minor, d.currency)}
                    </td>
                    <td data-label="Last sync">{d.last_run_id ? <Link to={`/runs/${d.last_run_id}`}>#{d.last_run_id}</Link> : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <LoadMore hasMore={Boolean(docs.hasNextPage)} loading={docs.isFetchingNextPage} onClick={() => void docs.fetchNextPage()} />
        </div>
      )}
    </>
  );
}
