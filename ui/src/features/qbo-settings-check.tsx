import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { paths } from "../api/paths";
import { keys } from "../api/queries";
import type { Company, QboRecheckResult, QboSettings } from "../api/types";
import { useToast } from "../components/toasts";
import { Alert, Button, ErrorMessage } from "../components/ui";
import { formatDateTime } from "../lib/format";

const SOURCE_TEXT: Record<Company["tax_settings_source"], string> = {
  default: "The tax settings are devsync's defaults: the next check of QuickBooks replaces them.",
  detected: "The tax settings were detected from QuickBooks: a re-check keeps them up to date.",
  user: "The tax settings were chosen by a person: a re-check shows what QuickBooks suggests but changes nothing unless you apply it.",
};

/**
 * What devsync read from the connected QuickBooks company (VAT, tax codes, currencies), why it
 * chose the tax settings it did, and the QuickBooks settings that will make documents fail,
 * shown before the first sync. `onApplied` lets the settings form take the new values.
 */
export function QboSettingsCheck({ company, onApplied }: { company: Company; onApplied: (result: QboRecheckResult) => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const connected = company.health.qbo.status === "connected";
  const canEdit = company.permissions.edit_connections;
  const settings = company.qbo_settings;

  const recheck = useMutation({
    mutationFn: (apply: boolean) => api.post<QboRecheckResult>(paths.qboRecheck(company.id), { apply }),
    onSuccess: (result) => {
      queryClient.setQueryData<Company>(keys.company(company.id), (old) =>
        old
          ? {
              ...old,
              qbo_settings: result.qbo_settings,
              tax_mode: result.tax_settings.tax_mode,
              vat_tax_code_id: result.tax_settings.vat_tax_code_id,
              vat_rate_codes: result.tax_settings.vat_rate_codes,
              tax_settings_source: result.tax_settings.source,
            }
          : old,
      );
      void queryClient.invalidateQueries({ queryKey: keys.companies });
      onApplied(result);
      toast(result.applied ? "QuickBooks settings checked; the detected tax settings are in use." : "QuickBooks settings checked; your tax settings were kept.");
    },
  });

  const differs = settings !== null && !sameChoice(settings, company);
  return (
    <section aria-label="Detected QuickBooks settings" className="qbo-settings-check">
      <h3 className="section-title">Detected in QuickBooks</h3>
      {settings === null ? (
        <p className="muted">{connected ? "Not checked yet: re-check to read the QuickBooks company's VAT and currency settings." : "Not checked yet: connect QuickBooks first."}</p>
      ) : (
        <SettingsSummary settings={settings} />
      )}
      {settings?.warnings.map((w) => (
        <Alert key={w.code} tone="warn" role="alert">
          <p>{w.message}</p>
        </Alert>
      ))}
      <p className="field-hint">{SOURCE_TEXT[company.tax_settings_source]}</p>
      {recheck.error !== null && <ErrorMessage error={recheck.error} title="QuickBooks could not be checked" />}
      {canEdit && connected && (
        <div className="form-actions">
          <Button onClick={() => recheck.mutate(false)} busy={recheck.isPending && recheck.variables === false}>
            Re-check QuickBooks settings
          </Button>
          {company.tax_settings_source === "user" && differs && (
            <Button onClick={() => recheck.mutate(true)} busy={recheck.isPending && recheck.variables === true}>
              Use the detected tax settings
            </Button>
          )}
        </div>
      )}
    </section>
  );
}

function SettingsSummary({ settings }: { settings: QboSettings }) {
  const codeName = (id: string | null) => settings.tax_codes.find((c) => c.id === id)?.name ?? id ?? "none";
  const rates = Object.entries(settings.detected.vat_rate_codes ?? {});
  return (
    <>
      <dl className="kv">
        <dt>Checked</dt>
        <dd>{formatDateTime(settings.checked_at)}</dd>
        <dt>QuickBooks company</dt>
        <dd>
          {settings.company_name ?? settings.realm_id}
          {settings.country ? ` (${settings.country})` : ""}
        </dd>
        <dt>VAT</dt>
        <dd>{settings.vat ? "On" : "Off"}</dd>
        <dt>Multicurrency</dt>
        <dd>{settings.multicurrency ? "On" : "Off"}</dd>
        <dt>Home currency</dt>
        <dd>{settings.home_currency ?? "unknown"}</dd>
        <dt>Suggested tax settings</dt>
        <dd>
          {settings.detected.tax_mode === "inclusive" ? `Amounts include VAT; VAT code ${codeName(settings.detected.vat_tax_code_id)}` : "No VAT in QuickBooks"}
          {rates.length > 0 && `; by rate: ${rates.map(([rate, id]) => `${rate}% → ${codeName(id)}`).join(", ")}`}
        </dd>
      </dl>
      <ul className="field-hint">
        {settings.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </>
  );
}

function sameChoice(settings: QboSettings, company: Company): boolean {
  const rates = (r: Record<string, string> | null) => JSON.stringify(Object.entries(r ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return (
    settings.detected.tax_mode === company.tax_mode &&
    settings.detected.vat_tax_code_id === company.vat_tax_code_id &&
    rates(settings.detected.vat_rate_codes) === rates(company.vat_rate_codes)
  );
}
