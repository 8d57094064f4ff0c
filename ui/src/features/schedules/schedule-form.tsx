import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import type { Frequency, JobType, Schedule, ScheduleInput } from "../../api/types";
import { Button, ErrorMessage, FieldShell, Segmented, TextField, Toggle } from "../../components/ui";
import { ordinal, WEEKDAYS } from "../../lib/format";
import { scheduleSentence } from "./schedule-format";

type EditableFrequency = Exclude<Frequency, "cron">;

const FREQUENCIES: { value: EditableFrequency; label: string }[] = [
  { value: "hourly", label: "Hourly" },
  { value: "daily", label: "Daily" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
];
const JOB_TYPES: { value: JobType; label: string }[] = [
  { value: "sales", label: "Sales" },
  { value: "bills", label: "Bills" },
  { value: "full", label: "Full" },
];
const PRESET_RANGES = [7, 30, 60, 90] as const;

interface Draft {
  frequency: EditableFrequency;
  time: string;
  minute: number;
  dayOfWeek: number;
  dayOfMonth: number;
  jobType: JobType;
  rangeChoice: string;
  customDays: string;
  enabled: boolean;
}

function draftOf(s: Schedule | null): Draft {
  if (!s) {
    return { frequency: "daily", time: "09:00", minute: 0, dayOfWeek: 1, dayOfMonth: 1, jobType: "full", rangeChoice: "30", customDays: "1", enabled: true };
  }
  const preset = (PRESET_RANGES as readonly number[]).includes(s.date_range_days);
  return {
    frequency: s.frequency === "cron" ? "daily" : s.frequency,
    time: `${String(s.hour_of_day).padStart(2, "0")}:${String(s.minute).padStart(2, "0")}`,
    minute: s.minute,
    dayOfWeek: s.day_of_week ?? 1,
    dayOfMonth: s.day_of_month ?? 1,
    jobType: s.job_type,
    rangeChoice: preset ? String(s.date_range_days) : "custom",
    customDays: String(s.date_range_days),
    enabled: s.enabled,
  };
}

/** The body the API takes: exactly the user's field names, null where a field does not apply. */
export function toInput(d: Draft, id?: number): ScheduleInput | { error: Record<string, string> } {
  const errors: Record<string, string> = {};
  let hour = 9;
  let minute = d.minute;
  if (d.frequency !== "hourly") {
    const m = /^(\d{1,2}):(\d{2})/.exec(d.time);
    if (!m) errors.hour_of_day = "Choose a time, for example 09:00.";
    else {
      hour = Number(m[1]);
      minute = Number(m[2]);
    }
  }
  const days = d.rangeChoice === "custom" ? Number(d.customDays) : Number(d.rangeChoice);
  if (!Number.isInteger(days) || days < 1 || days > 366) errors.date_range_days = "Enter a whole number of days from 1 to 366.";
  if (Object.keys(errors).length > 0) return { error: errors };
  return {
    ...(id !== undefined ? { id } : {}),
    job_type: d.jobType,
    frequency: d.frequency,
    hour_of_day: d.frequency === "hourly" ? null : hour,
    minute,
    day_of_week: d.frequency === "weekly" ? d.dayOfWeek : null,
    day_of_month: d.frequency === "monthly" ? d.dayOfMonth : null,
    date_range_days: days,
    enabled: d.enabled,
  };
}

export function ScheduleForm({
  schedule,
  timezone,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  schedule: Schedule | null;
  timezone: string;
  busy: boolean;
  error: unknown;
  onSubmit: (input: ScheduleInput) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(schedule));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const serverErrors = error instanceof ApiError ? error.fields : {};
  const errors = { ...serverErrors, ...localErrors };

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = toInput(draft, schedule?.id);
    if ("error" in input) {
      setLocalErrors(input.error);
      return;
    }
    setLocalErrors({});
    onSubmit(input);
  }

  const preview = toInput(draft);
  const title = schedule ? "Edit schedule" : "New schedule";
  return (
    <form className="schedule-form" onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      <p className="muted small">Times are in the company's time zone, {timezone}.</p>
      <Segmented legend="Frequency" name="frequency" value={draft.frequency} options={FREQUENCIES} onChange={(v) => set("frequency", v)} error={errors.frequency} />
      <div className="form-row">
        {draft.frequency === "hourly" ? (
          <FieldShell label="Minutes past the hour" error={errors.minute}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} value={draft.minute} onChange={(e) => set("minute", Number(e.target.value))}>
                {Array.from({ length: 12 }, (_, i) => i * 5).map((m) => (
                  <option key={m} value={m}>
                    :{String(m).padStart(2, "0")}
                  </option>
                ))}
              </select>
            )}
          </FieldShell>
        ) : (
          <TextField label="Time" type="time" step={60} required value={draft.time} onChange={(e) => set("time", e.target.value)} error={errors.hour_of_day ?? errors.minute} />
        )}
        {draft.frequency === "weekly" && (
          <FieldShell label="Day of the week" error={errors.day_of_week}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} value={draft.dayOfWeek} onChange={(e) => set("dayOfWeek", Number(e.target.value))}>
                {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                  <option key={d} value={d}>
                    {WEEKDAYS[d]}
                  </option>
                ))}
              </select>
            )}
          </FieldShell>
        )}
        {draft.frequency === "monthly" && (
          <FieldShell label="Day of the month" hint={draft.dayOfMonth > 28 ? "In shorter months it runs on the month's last day." : undefined} error={errors.day_of_month}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} value={draft.dayOfMonth} onChange={(e) => set("dayOfMonth", Number(e.target.value))}>
                {Array.from({ length: 31 }, (_, i) => i + 1).map((d) => (
                  <option key={d} value={d}>
                    {ordinal(d)}
                  </option>
                ))}
              </select>
            )}
          </FieldShell>
        )}
      </div>
      <Segmented
        legend="Job type"
        name="job-type"
        value={draft.jobType}
        options={JOB_TYPES}
        onChange={(v) => set("jobType", v)}
        hint={draft.jobType === "sales" ? "Sales e-invoices become QuickBooks invoices." : draft.jobType === "bills" ? "Purchase e-invoices become QuickBooks bills." : "Both sales and purchases."}
        error={errors.job_type}
      />
      <div className="form-row">
        <FieldShell label="Date range" hint="How far back each sync looks for documents." error={draft.rangeChoice === "custom" ? undefined : errors.date_range_days}>
          {({ id, describedBy }) => (
            <select id={id} aria-describedby={describedBy} value={draft.rangeChoice} onChange={(e) => set("rangeChoice", e.target.value)}>
              {PRESET_RANGES.map((d) => (
                <option key={d} value={String(d)}>
                  Last {d} days
                </option>
              ))}
              <option value="custom">Custom…</option>
            </select>
          )}
        </FieldShell>
        {draft.rangeChoice === "custom" && (
          <TextField
            label="Number of days"
            type="number"
            min={1}
            max={366}
            inputMode="numeric"
            value={draft.customDays}
            onChange={(e) => set("customDays", e.target.value)}
            hint="1 = the last day."
            error={errors.date_range_days}
          />
        )}
      </div>
      <div className="field">
        <Toggle label="Enabled" checked={draft.enabled} onChange={(v) => set("enabled", v)} />
      </div>
      {!("error" in preview) && <p className="schedule-preview">{scheduleSentence(preview, timezone)}</p>}
      {error !== null && error !== undefined && Object.keys(serverErrors).length === 0 && <ErrorMessage error={error} title="The schedule was not saved" />}
      {Object.keys(serverErrors).length > 0 && (
        <ErrorMessage error={error} title="Please correct the schedule" />
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {schedule ? "Save changes" : "Save schedule"}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
