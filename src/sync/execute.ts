import { isQboNotFound, QBO_FAULT_CODES, QboFault } from "../connectors/qbo/faults.js";
import { classifyError } from "../connectors/retry-policy.js";
import type { SourceDocument } from "../domain/source-document.js";
import { getCompany, type Company } from "../storage/repos/companies.js";
import {
  getDocumentLinks,
  listPendingLinks,
  markSynced,
  markVoided,
  recordLinkUpdate,
  resetLinkToPending,
  type DocumentLink,
} from "../storage/repos/document-links.js";
import type { RunEventLevel } from "../storage/repos/run-log.js";
import type { Db } from "../storage/repos/repo-helpers.js";
import { deletePendingLinks, insertPendingLinks, markLinksSynced, recordCreateFailures, renewPendingLink, type CreateFailure, type SyncedMark } from "../storage/repos/sync-links.js";
import { PermanentRunError } from "../worker/run-errors.js";
import { docNumberFor, MappingError, type MappingSettings } from "./document-fields.js";
import { mapBill } from "./map-bill.js";
import { mapInvoice } from "./map-invoice.js";
import { ensureExpenseAccount, ensureIncomeItem } from "./master-data.js";
import { documentCurrency, partyIdentityOf, type QboTxnType } from "./parties.js";
import { createPartyResolver, isRunLevel, type PartyResolver } from "./party-resolver.js";
import { lookUpPending } from "./pending-recovery.js";
import { coveredByJob, linkKey, planDocuments, type JobType, type PlannedDocument } from "./plan.js";
import type { BatchWrite, DevposReader, QboEntity, QboGateway } from "./ports.js";
import { batchRequestId, bodyDigest, documentRequestId, nextRequestId, writeRequestId } from "./request-ids.js";
import { taxCodeRatesFor } from "./tax-codes.js";
import { createItemRecorder, type ItemRecorder, type RecordedItem, type SyncSummary } from "./summary.js";
import { runWriteLanes } from "./write-lanes.js";
import { recheckZeroAmounts, settleZeroAmounts } from "./zero-amount-rechecks.js";

/**
 * One sync run (docs/architecture.md flow 3): list DevPos → plan against `document_links` → resolve
 * pending creates → master data and parties → creates and updates in batches of ≤ 30 at the
 * realm's speed limit → voids. Per-document problems become `run_items`; only conditions that
 * stop the whole run (QuickBooks unreachable or refusing the connection, configuration missing)
 * are thrown, as RetryableRunError / PermanentRunError or the connectors' own errors.
 */
export interface SyncEngineDeps {
  db: Db;
  now: () => Date;
  qbo: QboGateway;
  devpos: DevposReader;
}

export interface SyncInput {
  companyId: number;
  /** The sync_runs row items and events belong to (null: counted only). */
  runId: number | null;
  jobType: JobType;
  window: { from: string; to: string };
}

export interface SyncHooks {
  log(level: RunEventLevel, message: string, data?: unknown): Promise<void>;
  /** Cancellation or abort: checked between batches. */
  shouldStop(): Promise<boolean>;
  heartbeat?(): Promise<unknown>;
  onProgress?(progress: { done: number; total: number }): void;
}

export type SyncStatus = "succeeded" | "partial" | "failed" | "cancelled";

export interface SyncResult {
  status: SyncStatus;
  summary: SyncSummary;
  errorCode?: string;
  errorMessage?: string;
  retryable?: boolean;
}

type WriteTask =
  | { op: "create"; doc: SourceDocument; qboType: QboTxnType; hash: string; link?: DocumentLink; note?: string }
  | { op: "update"; doc: SourceDocument; qboType: QboTxnType; hash: string; link: DocumentLink }
  | { op: "void"; doc: SourceDocument; qboType: QboTxnType; link: DocumentLink };

/** Concurrent requests of one run (the realm allows 10; one or two are left for retries). */
const WRITE_CONCURRENCY = 8;

export async function runSync(deps: SyncEngineDeps, input: SyncInput, hooks: SyncHooks): Promise<SyncResult> {
  const started = performance.now();
  const { db, qbo } = deps;
  const company = await getCompany(db, input.companyId);
  if (!company) throw new PermanentRunError("company_not_found", `company ${input.companyId} does not exist`);
  const home = company.homeCurrency.toUpperCase();
  const settings: MappingSettings = { homeCurrency: home, taxMode: company.taxMode, vatTaxCodeId: company.vatTaxCodeId, vatRateCodes: company.vatRateCodes, taxCodeRates: {} };
  if (settings.taxMode === "inclusive" && !settings.vatTaxCodeId) {
    throw new PermanentRunError("vat_code_missing", "tax mode is inclusive but no VAT tax code is configured for the company");
  }

  let total = 0;
  const recorder = createItemRecorder({
    db,
    runId: input.runId,
    companyId: company.id,
    now: deps.now,
    window: input.window,
    jobType: input.jobType,
    onRecord: (done) => hooks.onProgress?.({ done, total }),
  });
  const warn = async (message: string, data?: unknown) => {
    recorder.summary.warnings++;
    await hooks.log("warn", message, data);
  };

  // 1. DevPos lists. Bills need the sales list too: self-issued invoices are bills.
  await hooks.log("info", `sync ${input.jobType} ${input.window.from}..${input.window.to} started`);
  const documents: SourceDocument[] = [];
  const listings: [string, () => ReturnType<DevposReader["listSales"]>][] = [["sales", () => deps.devpos.listSales(input.window)]];
  if (input.jobType !== "sales") listings.push(["purchases", () => deps.devpos.listPurchases(input.window)]);
  for (const [name, list] of listings) {
    const listing = await list();
    for (const w of listing.warnings) await warn(`DevPos ${name}: ${w.message}`, { code: w.code, eic: w.eic ?? null });
    documents.push(...listing.documents.filter((d) => coveredByJob(d, input.jobType)));
  }
  await hooks.log("info", `DevPos listed ${documents.length} documents`);
  // Documents listed without an amount earlier and now outside the window are read again.
  const recheck = await recheckZeroAmounts({ db, devpos: deps.devpos, now: deps.now() }, company.id, input.jobType, input.window, documents);
  for (const w of recheck.warnings) await warn(`DevPos re-check: ${w.message}`, { code: w.code, eic: w.eic ?? null });
  if (recheck.checked > 0) await hooks.log("info", `re-read ${recheck.checked} documents DevPos listed without an amount; ${recheck.documents.filter((d) => (d.amountMinor ?? 0) !== 0).length} now have one`, { deferred: recheck.deferred });
  documents.push(...recheck.documents);

  // 2. Plan against the ledger: no QuickBooks call.
  const links = new Map<string, DocumentLink>();
  for (const kind of ["sale", "purchase"] as const) {
    const keys = documents.filter((d) => d.kind === kind).map((d) => d.eic);
    if (keys.length === 0) continue;
    for (const [eic, link] of await getDocumentLinks(db, company.id, kind, keys)) links.set(linkKey(kind, eic), link);
  }
  const plan = planDocuments(documents, links, home);
  total = plan.items.length;
  await hooks.log("info", "plan", plan.counts);

  const tasks: WriteTask[] = [];
  for (const item of plan.items) recordPlanned(item, home, recorder, tasks);

  // 3. Interrupted creates: looked up before anything is created again.
  await resolvePending(deps, company, input, plan.items, recorder, tasks, hooks);

  // 4. Income item / expense account, then parties.
  const needs = { Invoice: false, Bill: false };
  for (const t of tasks) if (t.op !== "void") needs[t.qboType] = true;
  const masterDeps = { db, qbo, company, now: deps.now };
  if (needs.Invoice) {
    const item = await ensureIncomeItem(masterDeps);
    if (item.created) await hooks.log("info", `created the income item "DevPos sales" (${item.id}) and saved it to the company settings`);
  }
  if (needs.Bill) {
    const account = await ensureExpenseAccount(masterDeps);
    if (account.created) await hooks.log("info", `created the expense account "DevPos purchases" (${account.id}) and saved it to the company settings`);
  }
  if (needs.Invoice || needs.Bill) settings.taxCodeRates = await taxCodeRatesFor(qbo, settings);
  const resolver = await createPartyResolver({ db, qbo, companyId: company.id, homeCurrency: home, now: deps.now });
  const identities = tasks.filter((t) => t.op !== "void").map((t) => partyIdentityOf(t.doc, home));
  if (identities.length > 0) {
    await resolver.resolveAll(identities);
    await hooks.log("info", `parties resolved`, { distinct: new Set(identities.map((p) => `${p.role}|${p.key}|${p.currency}`)).size });
  }

  // 5. Writes.
  const writer = createWriter(deps, company, settings, input, recorder, resolver, warn);
  let lastBeat = performance.now();
  let cancelled = false;
  let runError: unknown;
  try {
    const lanes = await runWriteLanes<WriteTask>({
      tasks,
      batchable: (t) => t.op !== "void",
      runBatch: (batch) => writer.runBatch(batch),
      runSingle: (task) => writer.runSingle(task),
      concurrency: WRITE_CONCURRENCY,
      capacity: qbo.capacity ? () => qbo.capacity!() : undefined,
      shouldStop: async () => {
        cancelled = cancelled || (await hooks.shouldStop());
        return cancelled;
      },
      onTick: async () => {
        await recorder.maybeFlush();
        if (hooks.heartbeat && performance.now() - lastBeat > 10_000) {
          lastBeat = performance.now();
          await hooks.heartbeat();
        }
      },
    });
    if (lanes.stopped && lanes.notStarted > 0) cancelled = true;
  } catch (error) {
    runError = error;
  }
  await recorder.flush();

  const summary = recorder.summary;
  summary.zeroAmount = await settleZeroAmounts(db, company.id, documents, deps.now(), recheck);
  if (summary.zeroAmount.open > 0) {
    await hooks.log("warn", `${summary.zeroAmount.open} documents are listed by DevPos without an amount: not created, re-read on every run until DevPos gives one or a person confirms them as zero`, summary.zeroAmount);
  }
  summary.durationMs = Math.round(performance.now() - started);
  if (runError !== undefined) {
    const c = classifyError(runError);
    const message = runError instanceof Error ? runError.message : String(runError);
    await hooks.log("error", `run stopped: ${message}`, { code: c.code });
    if (c.class === "grant_revoked" || (runError instanceof Error && runError.name === "QboNotConnectedError")) throw runError;
    return { status: "failed", summary, errorCode: c.code, errorMessage: message, retryable: c.retryable };
  }
  if (cancelled) {
    summary.cancelled = true;
    await hooks.log("warn", "run cancelled between batches", { done: recorder.done, total });
    return { status: "cancelled", summary };
  }
  const failed = summary.sales.failed + summary.bills.failed;
  const status: SyncStatus = failed > 0 ? "partial" : "succeeded";
  await hooks.log(status === "succeeded" ? "info" : "warn", `sync ${status}`, { sales: summary.sales, bills: summary.bills });
  return { status, summary };
}

function itemOf(doc: SourceDocument, qboType: QboTxnType, home: string): Omit<RecordedItem, "action"> {
  return {
    kind: doc.kind,
    eic: doc.eic,
    qboType,
    docNumber: doc.documentNumber,
    amountMinor: doc.amountMinor,
    currency: documentCurrency(doc, home),
  };
}

/** Records what needs no write, and turns the rest into tasks (pending ones wait for step 3). */
function recordPlanned(item: PlannedDocument, home: string, recorder: ItemRecorder, tasks: WriteTask[]): void {
  const base = itemOf(item.doc, item.qboType, home);
  switch (item.action) {
    case "create":
      tasks.push({ op: "create", doc: item.doc, qboType: item.qboType, hash: item.hash });
      return;
    case "update":
      tasks.push({ op: "update", doc: item.doc, qboType: item.qboType, hash: item.hash, link: item.link });
      return;
    case "void":
      tasks.push({ op: "void", doc: item.doc, qboType: item.qboType, link: item.link });
      return;
    case "unchanged":
      recorder.record({ ...base, action: "unchanged", qboId: item.link.qboId });
      return;
    case "attention":
      recorder.record({ ...base, action: "attention", qboId: item.link.qboId, message: item.message });
      return;
    case "skip":
      recorder.record({ ...base, action: "skipped", reason: item.reason, qboId: item.link?.qboId ?? null, message: item.message });
      return;
    case "resolve":
      return;
  }
}

async function resolvePending(
  deps: SyncEngineDeps,
  company: Company,
  input: SyncInput,
  items: readonly PlannedDocument[],
  recorder: ItemRecorder,
  tasks: WriteTask[],
  hooks: SyncHooks,
): Promise<void> {
  const home = company.homeCurrency.toUpperCase();
  const inWindow = items.filter((i): i is Extract<PlannedDocument, { action: "resolve" }> => i.action === "resolve");
  const seen = new Set(inWindow.map((i) => i.link.id));
  const outside = (await listPendingLinks(deps.db, company.id, { limit: 1000 })).filter((l) => !seen.has(l.id));
  if (inWindow.length === 0 && outside.length === 0) return;
  await hooks.log("info", `looking up ${inWindow.length + outside.length} interrupted creates in QuickBooks before writing`);
  const found = await lookUpPending(deps.qbo, [
    ...inWindow.map((i) => ({ link: i.link, docNumber: docNumberFor(i.doc.documentNumber).docNumber, txnDate: i.doc.txnDate })),
    ...outside.map((l) => ({ link: l, docNumber: l.docNumber, txnDate: l.txnDate })),
  ]);
  const now = deps.now();
  for (const item of inWindow) {
    const { doc, link, qboType } = item;
    const entity = found.get(link.id) ?? null;
    const base = itemOf(doc, qboType, home);
    if (entity) {
      await markSynced(deps.db, link.id, { qboId: entity.Id, syncToken: entity.SyncToken, runId: input.runId, now });
      const synced: DocumentLink = { ...link, state: "synced", qboId: entity.Id, syncToken: entity.SyncToken };
      if (doc.status === "rejected") {
        if (qboType === "Invoice") tasks.push({ op: "void", doc, qboType, link: synced });
        else recorder.record({ ...base, action: "attention", qboId: entity.Id, message: "created before it was rejected in DevPos; bills cannot be voided, review it in QuickBooks" });
      } else if (doc.amountMinor === null || doc.amountMinor === 0 || item.hash === link.contentHash) {
        recorder.record({ ...base, action: "recovered", qboId: entity.Id, message: "an interrupted create was found in QuickBooks and linked" });
      } else {
        tasks.push({ op: "update", doc, qboType, hash: item.hash, link: synced });
      }
      continue;
    }
    if (doc.status === "rejected" || doc.amountMinor === null || doc.amountMinor === 0) {
      await deletePendingLinks(deps.db, [link.id]);
      const reason = doc.status === "rejected" ? "rejected" : "zero_amount";
      recorder.record({ ...base, action: "skipped", reason, message: reason === "rejected" ? "rejected in DevPos; not created" : "DevPos lists no amount; not created, retried next run" });
      continue;
    }
    // Proved absent: created again. Its request id is decided when its body is known (the
    // writer's createIdFor): kept while the body is the one last sent, renewed once it changed.
    const docNumber = docNumberFor(doc.documentNumber).docNumber;
    await renewPendingLink(deps.db, link.id, { requestId: link.requestId, contentHash: item.hash, docNumber, txnDate: doc.txnDate, amountMinor: doc.amountMinor, currency: documentCurrency(doc, home), runId: input.runId, now });
    tasks.push({ op: "create", doc, qboType, hash: item.hash, link: { ...link, contentHash: item.hash } });
  }
  for (const link of outside) {
    const entity = found.get(link.id) ?? null;
    if (entity) {
      await markSynced(deps.db, link.id, { qboId: entity.Id, syncToken: entity.SyncToken, runId: input.runId, now });
      await hooks.log("info", `interrupted create of ${link.qboType} ${link.docNumber ?? link.sourceKey} found in QuickBooks and linked`, { eic: link.sourceKey, qboId: entity.Id });
    } else {
      await hooks.log("warn", `interrupted create of ${link.docNumber ?? link.sourceKey} (${link.txnDate}) is not in QuickBooks; it is created when a sync covers its date`, { eic: link.sourceKey });
    }
  }
}

interface Writer {
  runBatch(tasks: WriteTask[]): Promise<void>;
  runSingle(task: WriteTask): Promise<void>;
}

function createWriter(
  deps: SyncEngineDeps,
  company: Company,
  settings: MappingSettings,
  input: SyncInput,
  recorder: ItemRecorder,
  resolver: PartyResolver,
  warn: (message: string, data?: unknown) => Promise<void>,
): Writer {
  const { db, qbo } = deps;
  const home = settings.homeCurrency;

  /** The QBO body, or a recorded failure (mapping / party problems are per document). */
  const bodyFor = async (task: Exclude<WriteTask, { op: "void" }>): Promise<Record<string, unknown> | undefined> => {
    const party = partyIdentityOf(task.doc, home);
    const resolution = resolver.get(party);
    if (!resolution || !resolution.ok) {
      recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "failed", message: resolution?.ok === false ? resolution.message : `party ${party.displayName} was not resolved` });
      return undefined;
    }
    try {
      const mapped =
        task.qboType === "Invoice"
          ? mapInvoice(task.doc, settings, { customerId: resolution.qboId, incomeItemId: company.incomeItemId! })
          : mapBill(task.doc, settings, { vendorId: resolution.qboId, expenseAccountId: company.expenseAccountId! });
      for (const w of mapped.warnings) await warn(`${task.qboType} ${task.doc.documentNumber ?? task.doc.eic}: ${w}`, { eic: task.doc.eic });
      return mapped.body;
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "failed", message: error.message });
      return undefined;
    }
  };

  /**
   * The request id a create of an existing pending link (proved absent) goes out under: the one
   * last used while the body is unchanged (after a lost answer or a 5xx, QuickBooks may replay
   * what it did), a new generation once the body differs, or a person asked for a retry (cleared
   * digest): a QuickBooks that remembers the id would otherwise replay its old refusal
   * (docs/domain.md "Exactly once").
   */
  const createIdFor = async (task: Extract<WriteTask, { op: "create" }>, link: DocumentLink, inputHash: string): Promise<DocumentLink> => {
    if (link.inputHash === inputHash) return link;
    const requestId = nextRequestId(company.id, task.doc.kind, task.doc.eic, link.requestId);
    await renewPendingLink(db, link.id, { requestId, contentHash: task.hash, inputHash, runId: input.runId, now: deps.now() });
    return { ...link, requestId, inputHash };
  };

  /** Pending links for creates without one; tasks whose document another run linked meanwhile are dropped. */
  const ensurePending = async (creates: { task: Extract<WriteTask, { op: "create" }>; body: Record<string, unknown> }[]): Promise<Map<WriteTask, DocumentLink>> => {
    const result = new Map<WriteTask, DocumentLink>();
    const fresh = creates.filter((c) => !c.task.link);
    for (const { task, body } of creates) if (task.link) result.set(task, await createIdFor(task, task.link, bodyDigest(body)));
    if (fresh.length === 0) return result;
    const wanted = fresh.map(({ task: t, body }) => ({
      companyId: company.id,
      kind: t.doc.kind,
      sourceKey: t.doc.eic,
      docNumber: docNumberFor(t.doc.documentNumber).docNumber,
      qboType: t.qboType,
      contentHash: t.hash,
      requestId: documentRequestId(company.id, t.doc.kind, t.doc.eic),
      inputHash: bodyDigest(body),
      txnDate: t.doc.txnDate,
      amountMinor: t.doc.amountMinor,
      currency: documentCurrency(t.doc, home),
      runId: input.runId,
    }));
    const stored = await insertPendingLinks(db, wanted, deps.now());
    fresh.forEach(({ task: t }, i) => {
      const link = stored.get(linkKey(t.doc.kind, t.doc.eic));
      if (link && link.state === "pending" && link.requestId === wanted[i]!.requestId && link.lastRunId === input.runId) {
        result.set(t, link);
      } else {
        recorder.record({ ...itemOf(t.doc, t.qboType, home), action: "skipped", qboId: link?.qboId ?? null, message: "linked by another run meanwhile; left to it" });
      }
    });
    return result;
  };

  const created = (task: WriteTask, link: DocumentLink, entity: QboEntity, marks: SyncedMark[], message?: string) => {
    marks.push({ id: link.id, qboId: entity.Id, syncToken: entity.SyncToken, contentHash: "hash" in task ? task.hash : undefined, runId: input.runId });
    recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "created", qboId: entity.Id, message: message ?? createdNote(task.doc) });
  };

  /**
   * A create that did not confirm: QuickBooks answered with a fault, the batch answer lacked the
   * item, or no answer came. None of these proves nothing was created (a retried batch has been
   * answered with per-item faults after its first attempt committed), so the link stays
   * `pending` with the reason, and the next run looks the document up by DocNumber + EIC before
   * creating anything.
   */
  const notConfirmed = (task: WriteTask, link: DocumentLink, message: string, failures: CreateFailure[]) => {
    failures.push({ id: link.id, message });
    recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "failed", message });
  };
  const createRefused = async (task: WriteTask, link: DocumentLink, fault: QboFault) => {
    const failures: CreateFailure[] = [];
    notConfirmed(task, link, fault.message, failures);
    await recordCreateFailures(db, failures, input.runId, deps.now());
  };

  const updated = async (task: Extract<WriteTask, { op: "update" }>, entity: QboEntity, message?: string) => {
    await recordLinkUpdate(db, task.link.id, {
      syncToken: entity.SyncToken,
      contentHash: task.hash,
      docNumber: docNumberFor(task.doc.documentNumber).docNumber,
      txnDate: task.doc.txnDate,
      amountMinor: task.doc.amountMinor,
      currency: documentCurrency(task.doc, home),
      runId: input.runId,
      now: deps.now(),
    });
    recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "updated", qboId: entity.Id, message: message ?? null });
  };

  /** After a batch item fault or a failed single update: 5010 → re-read once and retry; 610 → deleted. */
  const handleUpdateFault = async (task: Extract<WriteTask, { op: "update" }>, body: Record<string, unknown>, fault: unknown): Promise<void> => {
    if (fault instanceof QboFault && fault.hasCode(QBO_FAULT_CODES.staleObject)) {
      try {
        const fresh = await qbo.read<QboEntity>(task.qboType, task.link.qboId!);
        const entity = await qbo.update<QboEntity>(task.qboType, { ...body, Id: fresh.Id, SyncToken: fresh.SyncToken }, {
          requestId: writeRequestId("update", task.link.id, fresh.SyncToken, task.hash),
          allowDuplicateDocNumber: task.qboType === "Invoice",
        });
        return await updated(task, entity, "SyncToken was stale; re-read and updated");
      } catch (error) {
        if (isRunLevel(error)) throw error;
        fault = error;
      }
    }
    if (isQboNotFound(fault)) return deletedInQbo(task);
    recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "failed", qboId: task.link.qboId, message: fault instanceof Error ? fault.message : String(fault) });
  };

  /** Only an explicit not-found means deleted; the company decides between recreate and report. */
  const deletedInQbo = async (task: Extract<WriteTask, { op: "update" }>): Promise<void> => {
    const base = itemOf(task.doc, task.qboType, home);
    if (company.onDeletedInQbo !== "recreate") {
      recorder.record({ ...base, action: "failed", qboId: task.link.qboId, message: `${task.qboType} ${task.link.qboId} was deleted in QuickBooks; not recreated (company setting: report)` });
      return;
    }
    const requestId = nextRequestId(company.id, task.doc.kind, task.doc.eic, task.link.requestId);
    await resetLinkToPending(db, task.link.id, { requestId, contentHash: task.hash, runId: input.runId, now: deps.now() });
    const body = await bodyFor(task);
    if (!body) return;
    const link = { ...task.link, state: "pending" as const, requestId };
    try {
      const entity = await qbo.create<QboEntity>(task.qboType, body, { requestId, allowDuplicateDocNumber: task.qboType === "Invoice" });
      const marks: SyncedMark[] = [];
      created({ op: "create", doc: task.doc, qboType: task.qboType, hash: task.hash }, link, entity, marks, `${task.qboType} ${task.link.qboId} was deleted in QuickBooks; recreated as ${entity.Id}`);
      await markLinksSynced(db, marks, deps.now());
    } catch (error) {
      if (isRunLevel(error)) {
        recorder.record({ ...base, action: "failed", message: `recreate interrupted: ${(error as Error).message}` });
        throw error;
      }
      if (error instanceof QboFault) return createRefused(task, link, error);
      throw error;
    }
  };

  const runVoid = async (task: Extract<WriteTask, { op: "void" }>): Promise<void> => {
    const base = itemOf(task.doc, task.qboType, home);
    const send = (syncToken: string) =>
      qbo.void<QboEntity>("Invoice", { Id: task.link.qboId!, SyncToken: syncToken }, { requestId: writeRequestId("void", task.link.id, syncToken) });
    try {
      let entity: QboEntity;
      try {
        entity = await send(task.link.syncToken ?? "0");
      } catch (error) {
        if (!(error instanceof QboFault) || !error.hasCode(QBO_FAULT_CODES.staleObject)) throw error;
        const fresh = await qbo.read<QboEntity>("Invoice", task.link.qboId!);
        entity = await send(fresh.SyncToken);
      }
      await markVoided(db, task.link.id, { syncToken: entity.SyncToken, runId: input.runId, now: deps.now() });
      recorder.record({ ...base, action: "voided", qboId: task.link.qboId, message: `rejected in DevPos (${task.doc.statusText}); invoice voided` });
    } catch (error) {
      if (isRunLevel(error)) {
        recorder.record({ ...base, action: "failed", qboId: task.link.qboId, message: `void interrupted: ${(error as Error).message}` });
        throw error;
      }
      if (isQboNotFound(error)) {
        await markVoided(db, task.link.id, { runId: input.runId, now: deps.now() });
        recorder.record({ ...base, action: "attention", qboId: task.link.qboId, message: "rejected in DevPos; the invoice was already deleted in QuickBooks" });
        return;
      }
      recorder.record({ ...base, action: "failed", qboId: task.link.qboId, message: error instanceof Error ? error.message : String(error) });
    }
  };

  return {
    async runBatch(batch) {
      const prepared: { task: Exclude<WriteTask, { op: "void" }>; body: Record<string, unknown> }[] = [];
      for (const task of batch) {
        if (task.op === "void") {
          await runVoid(task);
          continue;
        }
        const body = await bodyFor(task);
        if (body) prepared.push({ task, body });
      }
      const creates = prepared.filter((p) => p.task.op === "create") as { task: Extract<WriteTask, { op: "create" }>; body: Record<string, unknown> }[];
      const pendingLinks = await ensurePending(creates);
      const items: { task: Exclude<WriteTask, { op: "void" }>; body: Record<string, unknown>; link: DocumentLink; write: BatchWrite; id: string }[] = [];
      for (const { task, body } of prepared) {
        if (task.op === "create") {
          const link = pendingLinks.get(task);
          if (!link) continue;
          items.push({ task, body, link, id: link.requestId, write: { operation: "create", entity: task.qboType, body } });
        } else {
          const write = { operation: "update" as const, entity: task.qboType, body: { ...body, Id: task.link.qboId, SyncToken: task.link.syncToken ?? "0", sparse: true } };
          items.push({ task, body, link: task.link, id: writeRequestId("update", task.link.id, task.link.syncToken ?? "0", task.hash), write });
        }
      }
      if (items.length === 0) return;
      let results;
      try {
        results = await qbo.batch(
          items.map((i) => i.write),
          { requestId: batchRequestId(items.map((i) => i.id)), allowDuplicateDocNumber: true },
        );
      } catch (error) {
        const failures: CreateFailure[] = [];
        if (isRunLevel(error)) {
          // The outcome is unknown: pending links stay, and the next run looks them up.
          const message = `not confirmed: ${(error as Error).message}`;
          for (const i of items) {
            if (i.task.op === "create") notConfirmed(i.task, i.link, message, failures);
            else recorder.record({ ...itemOf(i.task.doc, i.task.qboType, home), action: "failed", qboId: i.link.qboId, message });
          }
          await recordCreateFailures(db, failures, input.runId, deps.now());
          throw error;
        }
        if (!(error instanceof QboFault)) throw error;
        for (const i of items) {
          if (i.task.op === "create") notConfirmed(i.task, i.link, error.message, failures);
          else recorder.record({ ...itemOf(i.task.doc, i.task.qboType, home), action: "failed", qboId: i.link.qboId, message: error.message });
        }
        await recordCreateFailures(db, failures, input.runId, deps.now());
        return;
      }
      const marks: SyncedMark[] = [];
      const failures: CreateFailure[] = [];
      const later: (() => Promise<void>)[] = [];
      results.forEach((result, index) => {
        const i = items[index]!;
        if (i.task.op === "create") {
          if (result.ok) created(i.task, i.link, result.value, marks);
          else notConfirmed(i.task, i.link, result.fault.message, failures);
        } else {
          const task = i.task;
          if (result.ok) later.push(() => updated(task, result.value));
          else later.push(() => handleUpdateFault(task, i.body, result.fault));
        }
      });
      await markLinksSynced(db, marks, deps.now());
      await recordCreateFailures(db, failures, input.runId, deps.now());
      for (const step of later) await step();
    },

    async runSingle(task) {
      if (task.op === "void") return runVoid(task);
      const body = await bodyFor(task);
      if (!body) return;
      if (task.op === "update") {
        try {
          const entity = await qbo.update<QboEntity>(task.qboType, { ...body, Id: task.link.qboId, SyncToken: task.link.syncToken ?? "0" }, {
            requestId: writeRequestId("update", task.link.id, task.link.syncToken ?? "0", task.hash),
            allowDuplicateDocNumber: task.qboType === "Invoice",
          });
          return await updated(task, entity);
        } catch (error) {
          if (isRunLevel(error)) {
            recorder.record({ ...itemOf(task.doc, task.qboType, home), action: "failed", qboId: task.link.qboId, message: `not confirmed: ${(error as Error).message}` });
            throw error;
          }
          return handleUpdateFault(task, body, error);
        }
      }
      const link = (await ensurePending([{ task, body }])).get(task);
      if (!link) return;
      try {
        const entity = await qbo.create<QboEntity>(task.qboType, body, { requestId: link.requestId, allowDuplicateDocNumber: task.qboType === "Invoice" });
        const marks: SyncedMark[] = [];
        created(task, link, entity, marks);
        await markLinksSynced(db, marks, deps.now());
      } catch (error) {
        if (isRunLevel(error)) {
          const failures: CreateFailure[] = [];
          notConfirmed(task, link, `not confirmed: ${(error as Error).message}`, failures);
          await recordCreateFailures(db, failures, input.runId, deps.now());
          throw error;
        }
        if (error instanceof QboFault) return createRefused(task, link, error);
        throw error;
      }
    },
  };
}

function createdNote(doc: SourceDocument): string | null {
  const number = docNumberFor(doc.documentNumber);
  return number.truncatedFrom ? `DocNumber shortened to ${number.docNumber} (QuickBooks allows 21 characters)` : null;
}
