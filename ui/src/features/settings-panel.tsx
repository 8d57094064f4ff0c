import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import { paths } from "../api/paths";
import { keys } from "../api/queries";
import type { Company, QboCandidate, TaxMode } from "../api/types";
import { useToast } from "../components/toasts";
import { Alert, Button, Card, ErrorMessage, FieldShell, SelectField } from "../components/ui";
import { Link } from "../lib/router";
import { QboSettingsCheck } from "./qbo-settings-check";

function zones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return ["Europe/Tirane", "Europe/Rome", "Europe/Berlin", "Europe/London", "UTC"];
  }
}

function useCandidates(companyId: number, list: "income-items" | "expense-accounts" | "tax-codes", enabled: boolean) {
  const path = list === "income-items" ? paths.qboIncomeItems(companyId) : list === "expense-accounts" ? paths.qboExpenseAccounts(companyId) : paths.qboTaxCodes(companyId);
  return useQuery({
    queryKey: ["company", companyId, "qbo-list", list],
    queryFn: () => api.get<{ items: QboCandidate[] }>(path).then((r) => r.items),
    enabled,
    staleTime: 5 * 60_000,
  });
}

/** Company settings; the QuickBooks choices are read live from the connected QuickBooks company. */
export function SettingsPanel({ company }: { company: Company }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const canEdit = company.permissions.edit_connections;
  const connected = company.health.qbo.status === "connected";
  const [name, setName] = useState(company.name);
  const [timezone, setTimezone] = useState(company.timezone);
  const [taxMode, setTaxMode] = useState<TaxMode>(company.tax_mode);
  const [vatCode, setVatCode] = useState(company.vat_tax_code_id ?? "");
  const [incomeItem, setIncomeItem] = useState(company.income_item_id ?? "");
  const [expenseAccount, setExpenseAccount] = useState(company.expense_account_id ?? "");
  const [onDeleted, setOnDeleted] = useState(company.on_deleted_in_qbo);
  const [rateCodes, setRateCodes] = useState<Record<string, string>>(company.vat_rate_codes ?? {});
  const allZones = useMemo(zones, []);

  const taxCodes = useCandidates(company.id, "tax-codes", connected);
  const incomeItems = useCandidates(company.id, "income-items", connected);
  const expenseAccounts = useCandidates(company.id, "expense-accounts", connected);

  const save = useMutation({
    mutationFn: () =>
      api.patch<Company>(paths.company(company.id), {
        name,
        timezone,
        tax_mode: taxMode,
        vat_tax_code_id: vatCode || null,
        vat_rate_codes: Object.keys(cleanRates(rateCodes)).length > 0 ? cleanRates(rateCodes) : null,
        income_item_id: incomeItem || null,
        expense_account_id: expenseAccount || null,
        on_deleted_in_qbo: onDeleted,
      }),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.company(company.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      void queryClient.invalidateQueries({ queryKey: keys.companySchedules(company.id) });
      toast("Settings saved.");
    },
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <Card title="Settings">
      <form onSubmit={submit} aria-label="Company settings">
        <div className="form-row">
          <FieldShell label="Company name" error={fields.name}>
            {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={name} onChange={(e) => setName(e.target.value)} disabled={!canEdit} required />}
          </FieldShell>
          <FieldShell label="Time zone" hint="Schedules run at wall-clock times in this zone; changing it moves their next run." error={fields.timezone}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} value={timezone} onChange={(e) => setTimezone(e.target.value)} disabled={!canEdit}>
                {!allZones.includes(timezone) && <option value={timezone}>{timezone}</option>}
                {allZones.map((z) => (
                  <option key={z} value={z}>
                    {z.replace(/_/g, " ")}
                  </option>
                ))}
              </select>
            )}
          </FieldShell>
        </div>
        <QboSettingsCheck
          company={company}
          onApplied={(result) => {
            setTaxMode(result.tax_settings.tax_mode);
            setVatCode(result.tax_settings.vat_tax_code_id ?? "");
            setRateCodes(result.tax_settings.vat_rate_codes ?? {});
          }}
        />
        <h3 className="section-title">Tax</h3>
        <div className="form-row">
          <SelectField
            label="Tax mode"
            hint="Inclusive: amounts in DevPos include VAT, and QuickBooks receives the VAT code below."
            value={taxMode}
            onChange={(e) => setTaxMode(e.target.value as TaxMode)}
            options={[
              { value: "none", label: "No VAT in QuickBooks" },
              { value: "inclusive", label: "Amounts include VAT" },
            ]}
            disabled={!canEdit}
            error={fields.tax_mode}
          />
          <CandidateSelect
            label="VAT code"
            hint="Used for every document whose VAT rate has no code of its own below."
            value={vatCode}
            onChange={setVatCode}
            query={taxCodes}
            connected={connected}
            disabled={!canEdit || taxMode === "none"}
            error={fields.vat_tax_code_id}
          />
        </div>
        {taxMode === "inclusive" && (
          <fieldset>
            <legend>VAT code by rate (optional)</legend>
            <p className="field-hint">When a DevPos document states its VAT rate, QuickBooks receives the code chosen for that rate.</p>
            <div className="form-row">
              {ratesShown(rateCodes).map((rate) => (
                <CandidateSelect
                  key={rate}
                  label={`Documents at ${rate}% VAT`}
                  value={rateCodes[rate] ?? ""}
                  onChange={(v) => setRateCodes((r) => ({ ...r, [rate]: v }))}
                  query={taxCodes}
                  connected={connected}
                  disabled={!canEdit}
                  error={undefined}
                  emptyLabel="Use the VAT code above"
                />
              ))}
            </div>
            {fields.vat_rate_codes && <p className="field-error">{fields.vat_rate_codes}</p>}
          </fieldset>
        )}
        <h3 className="section-title">QuickBooks accounts</h3>
        {!connected && (
          <Alert tone="info">
            <p>
              Connect QuickBooks to choose the income item and expense account from its lists. <Link to={`/companies/${company.id}/connections`}>Go to Connections</Link>
            </p>
          </Alert>
        )}
        <div className="form-row">
          <CandidateSelect label="Income item" hint="Invoice lines are booked to this item." value={incomeItem} onChange={setIncomeItem} query={incomeItems} connected={connected} disabled={!canEdit} error={fields.income_item_id} />
          <CandidateSelect label="Expense account" hint="Bill lines are booked to this account." value={expenseAccount} onChange={setExpenseAccount} query={expenseAccounts} connected={connected} disabled={!canEdit} error={fields.expense_account_id} />
        </div>
        <SelectField
          label="When a synced document is deleted in QuickBooks"
          value={onDeleted}
          onChange={(e) => setOnDeleted(e.target.value as "report" | "recreate")}
          options={[
            { value: "report", label: "Report it and leave it deleted" },
            { value: "recreate", label: "Create it again on the next sync" },
          ]}
          disabled={!canEdit}
          error={fields.on_deleted_in_qbo}
        />
        {save.error !== null && <ErrorMessage error={save.error} title="The settings were not saved" />}
        {canEdit ? (
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={save.isPending}>
              Save settings
            </Button>
          </div>
        ) : (
          <p className="muted">You may view these settings; an administrator can change them.</p>
        )}
      </form>
    </Card>
  );
}

const VAT_RATES = ["20", "6", "0"] as const;

/** Albania's usual rates, plus any other rate the company maps (e.g. one detected in QuickBooks). */
function ratesShown(rateCodes: Record<string, string>): string[] {
  const extra = Object.keys(rateCodes).filter((r) => !(VAT_RATES as readonly string[]).includes(r));
  return [...VAT_RATES, ...extra.sort((a, b) => Number(b) - Number(a))];
}

function cleanRates(rates: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(rates).filter(([, id]) => id));
}

function CandidateSelect({
  label,
  hint,
  value,
  onChange,
  query,
  connected,
  disabled,
  error,
  emptyLabel = "Not chosen (devsync's default)",
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  query: { data?: QboCandidate[] | undefined; isFetching: boolean; error: unknown; refetch: () => unknown };
  connected: boolean;
  disabled: boolean;
  error?: string | undefined;
  emptyLabel?: string;
}) {
  const items = query.data ?? [];
  const known = items.some((i) => i.id === value);
  const loadError = query.error ? (query.error instanceof Error ? query.error.message : String(query.error)) : undefined;
  return (
    <FieldShell label={label} hint={loadError ? `Could not read the list from QuickBooks: ${loadError}` : query.isFetching ? "Reading the list from QuickBooks…" : hint} error={error}>
      {({ id, describedBy }) => (
        <select id={id} aria-describedby={describedBy} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled || !connected}>
          <option value="">{connected ? emptyLabel : "Connect QuickBooks first"}</option>
          {value && !known && <option value={value}>Saved choice (id {value})</option>}
          {items.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
              {i.detail ? ` — ${i.detail}` : ""}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}
