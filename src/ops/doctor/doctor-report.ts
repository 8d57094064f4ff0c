export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the report. `fail` makes `doctor` exit non-zero; `warn` does not. */
export interface DoctorCheck {
  section: string;
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, for warn and fail. */
  hint?: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  ok: boolean;
  failures: number;
  warnings: number;
}

export function summarize(checks: DoctorCheck[]): DoctorReport {
  const failures = checks.filter((c) => c.status === "fail").length;
  const warnings = checks.filter((c) => c.status === "warn").length;
  return { checks, ok: failures === 0, failures, warnings };
}

const MARK: Record<CheckStatus, string> = { ok: "[ ok ]", warn: "[warn]", fail: "[FAIL]", skip: "[skip]" };

/** The human report: sections in order of first appearance, one line per check, hints indented. */
export function formatReport(report: DoctorReport, title: string): string {
  const lines = [title, ""];
  const sections = [...new Set(report.checks.map((c) => c.section))];
  const width = Math.min(28, Math.max(...report.checks.map((c) => c.name.length), 8));
  for (const section of sections) {
    lines.push(section);
    for (const check of report.checks.filter((c) => c.section === section)) {
      lines.push(`  ${MARK[check.status]} ${check.name.padEnd(width)}  ${check.detail}`);
      if (check.hint && (check.status === "warn" || check.status === "fail")) lines.push(`  ${" ".repeat(6)} ${" ".repeat(width)}  -> ${check.hint}`);
    }
    lines.push("");
  }
  const verdict = report.ok
    ? `All good${report.warnings ? `, ${report.warnings} warning${report.warnings === 1 ? "" : "s"}` : ""}.`
    : `${report.failures} problem${report.failures === 1 ? "" : "s"}${report.warnings ? `, ${report.warnings} warning${report.warnings === 1 ? "" : "s"}` : ""}: devsync will not work as expected until they are fixed.`;
  lines.push(verdict);
  return `${lines.join("\n")}\n`;
}
