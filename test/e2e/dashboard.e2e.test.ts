import { DateTime } from "luxon";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot } from "./browser.js";
import { startStack, type Stack } from "./stack.js";

/**
 * The dashboard in a real browser (Debian's Chromium, headless) against the real system:
 * createApp on a fresh SQLite database serving the built UI, the sandbox DevPos and QuickBooks,
 * the QuickBooks connector and the sync engine behind a worker. Steps run in order and share
 * one browser session, as an accountant's first day would. Every wait is on an element or a
 * response, never on a fixed delay.
 */

const ADMIN = { name: "Arta Hoxha", email: "arta@studio-kontabel.al", password: "long enough passphrase 1" };
const STEP_TIMEOUT = 60_000;

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let companyId = 0;
let tenant: { tenant: string; companyName: string; username: string; password: string };
let runId = 0;
/** Every Content-Security-Policy violation and page error seen in any page of the session. */
const cspViolations: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB", timezoneId: "Europe/Tirane" });
  context.setDefaultTimeout(15_000);
  // The dashboard runs under the API's Content-Security-Policy (src/api/security-headers.ts):
  // every page, the OAuth popup included, reports violations, and the last test asserts none.
  await context.addInitScript({
    content:
      'document.addEventListener("securitypolicyviolation", (e) => console.error(' +
      '`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile || location.pathname}`));',
  });
  context.on("console", (message) => {
    if (message.type() === "error" && /CSP violation|Content Security Policy/.test(message.text())) cspViolations.push(message.text());
  });
  context.on("page", (opened) => opened.on("pageerror", (error) => pageErrors.push(`${opened.url()}: ${error.message}`)));
  page = await context.newPage();
  tenant = stack.sandbox.demoTenants[0]!;
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
}, 30_000);

const url = (path: string) => `${stack.baseUrl}${path}`;
const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });

async function apiGet<T>(path: string): Promise<T> {
  const response = await page.request.get(url(path));
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

describe("dashboard in Chromium", () => {
  it("creates the first administrator on a fresh install, logs out and logs in", async () => {
    await page.goto(url("/"));
    await heading("Welcome to devsync").waitFor();
    await page.getByLabel("Your name").fill(ADMIN.name);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Repeat the password").fill(ADMIN.password);
    await screenshot(page, "01-first-admin-setup");
    await page.getByRole("button", { name: "Create administrator" }).click();
    await heading("Companies").waitFor();
    await page.getByText("No companies yet").waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await heading("Log in").waitFor();
    await page.getByText("You have logged out.").waitFor();
    // A wrong password is refused in words, not a code.
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("That email and password do not match an active account.").waitFor();
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await screenshot(page, "02-login");
    await page.getByRole("button", { name: "Log in" }).click();
    await heading("Companies").waitFor();
  }, STEP_TIMEOUT);

  it("adds a company and saves and tests its DevPos login", async () => {
    await page.getByRole("button", { name: "Add company" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a company" });
    await dialog.getByLabel("Company name").fill(tenant.companyName);
    await dialog.getByLabel("NUIS").fill(tenant.tenant);
    await dialog.getByRole("button", { name: "Add company" }).click();
    await page.waitForURL(/\/companies\/\d+\/connections$/);
    companyId = Number(/\/companies\/(\d+)\//.exec(page.url())![1]);
    await heading(tenant.companyName).waitFor();

    const devpos = page.getByRole("form", { name: "DevPos login" });
    await devpos.getByLabel("Tenant").fill(tenant.tenant);
    await devpos.getByLabel("Username").fill(tenant.username);
    await devpos.getByLabel("Password").fill(tenant.password);
    await devpos.getByRole("button", { name: "Save login" }).click();
    // Write-only: once saved the field is empty again and says so.
    await expectValue(devpos.getByLabel("Password"), "");
    await page.getByPlaceholder("Saved — type a new one to replace it").waitFor();
    await devpos.getByRole("button", { name: "Test" }).click();
    await page.getByText("DevPos accepted the login.").waitFor();
    const saved = await apiGet<Record<string, unknown>>(`/api/companies/${companyId}/devpos`);
    expect(saved).toMatchObject({ configured: true, tenant: tenant.tenant, username: tenant.username, status: "ok" });
    expect(JSON.stringify(saved)).not.toContain(tenant.password);
  }, STEP_TIMEOUT);

  it("connects the company to the sandbox QuickBooks through the popup", async () => {
    const [popup] = await Promise.all([page.waitForEvent("popup"), page.getByRole("button", { name: "Connect to QuickBooks" }).click()]);
    await popup.waitForURL(/\/qbo\/connect\/oauth2/);
    await popup.getByRole("heading", { name: "Connect your QuickBooks company" }).waitFor();
    await popup.getByLabel("New company name").fill(`${tenant.companyName} (QBO)`);
    await popup.getByRole("button", { name: "Connect", exact: true }).click();
    // The callback page tells this window and closes itself; the card updates without a reload.
    await popup.waitForEvent("close", { timeout: 15_000 });
    await page.getByText("QuickBooks is connected. Syncs can now send documents to it.").waitFor();
    await page.getByRole("button", { name: "Reconnect QuickBooks" }).waitFor();
    await page.locator(".page-header").getByText("QuickBooks connected").waitFor();
    const status = await apiGet<{ status: string; realm_id: string | null }>(`/api/companies/${companyId}/qbo`);
    expect(status.status).toBe("connected");
    expect(status.realm_id).toBeTruthy();
    await screenshot(page, "04-company-connections");
  }, STEP_TIMEOUT);

  it("shows what was detected in QuickBooks on connect, and re-checks it on request", async () => {
    await page.getByRole("navigation", { name: "Company sections" }).getByRole("link", { name: "Settings" }).click();
    const detected = page.getByRole("region", { name: "Detected QuickBooks settings" });
    await detected.getByText("Standard rate 20 % → code 'VAT 20%'.").waitFor();
    await detected.getByText("The tax settings were detected from QuickBooks").waitFor();
    await expectValue(page.getByLabel("Tax mode"), "inclusive");
    await detected.getByRole("button", { name: "Re-check QuickBooks settings" }).click();
    await page.getByText("QuickBooks settings checked; the detected tax settings are in use.").waitFor();
    await screenshot(page, "09-detected-qbo-settings");
    const company = await apiGet<{ tax_settings_source: string; qbo_settings: { vat: boolean; warnings: unknown[] } | null }>(`/api/companies/${companyId}`);
    expect(company).toMatchObject({ tax_settings_source: "detected", qbo_settings: { vat: true, warnings: [] } });
  }, STEP_TIMEOUT);

  it("sets the tax settings from lists read from QuickBooks", async () => {
    await page.getByRole("navigation", { name: "Company sections" }).getByRole("link", { name: "Settings" }).click();
    const form = page.getByRole("form", { name: "Company settings" });
    await form.getByLabel("Tax mode").selectOption("inclusive");
    const vat = form.getByLabel("VAT code", { exact: true });
    await waitForOptions(vat, 2);
    await vat.selectOption({ label: "VAT 20% — Albanian VAT 20%" });
    for (const rate of ["20", "6", "0", "10"]) {
      const select = form.getByLabel(`Documents at ${rate}% VAT`);
      await waitForOptions(select, 2);
      await select.selectOption({ label: rate === "0" ? "Exempt 0% — Albanian Exempt 0%" : `VAT ${rate}% — Albanian VAT ${rate}%` });
    }
    await waitForOptions(form.getByLabel("Income item"), 2);
    await screenshot(page, "10-company-settings");
    await form.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();
    const company = await apiGet<{ tax_mode: string; vat_tax_code_id: string | null; vat_rate_codes: Record<string, string> | null }>(`/api/companies/${companyId}`);
    expect(company.tax_mode).toBe("inclusive");
    expect(company.vat_tax_code_id).toBeTruthy();
    // The sandbox realm has codes at 20, 6, 0 and 10 % (the 10 % one was detected on connect).
    expect(Object.keys(company.vat_rate_codes ?? {}).sort()).toEqual(["0", "10", "20", "6"]);
  }, STEP_TIMEOUT);

  it("creates the four example schedules of docs/product.md through the Scheduled Syncs card", async () => {
    await page.getByRole("navigation", { name: "Company sections" }).getByRole("link", { name: "Syncs" }).click();
    const card = scheduleCard();
    await card.getByText("No schedule yet").waitFor();

    await addSchedule({ frequency: "Daily", time: "09:00", job: "Full", range: "30" });
    await addSchedule({ frequency: "Hourly", job: "Sales", range: "custom", customDays: "1" });
    await addSchedule({ frequency: "Weekly", time: "08:00", weekday: "Monday", job: "Bills", range: "7" });
    await addSchedule({ frequency: "Monthly", time: "06:00", dayOfMonth: "1", job: "Full", range: "60" });

    const { items } = await apiGet<{ items: Record<string, unknown>[] }>(`/api/companies/${companyId}/schedules`);
    const pick = ({ job_type, frequency, hour_of_day, minute, day_of_week, day_of_month, date_range_days, enabled }: Record<string, unknown>) =>
      ({ job_type, frequency, hour_of_day, minute, day_of_week, day_of_month, date_range_days, enabled });
    const stored = items.map(pick);
    expect(stored).toEqual(
      expect.arrayContaining([
        { job_type: "full", frequency: "daily", hour_of_day: 9, minute: 0, day_of_week: null, day_of_month: null, date_range_days: 30, enabled: true },
        expect.objectContaining({ job_type: "sales", frequency: "hourly", minute: 0, day_of_week: null, day_of_month: null, date_range_days: 1, enabled: true }),
        { job_type: "bills", frequency: "weekly", hour_of_day: 8, minute: 0, day_of_week: 1, day_of_month: null, date_range_days: 7, enabled: true },
        { job_type: "full", frequency: "monthly", hour_of_day: 6, minute: 0, day_of_week: null, day_of_month: 1, date_range_days: 60, enabled: true },
      ]),
    );
    expect(stored).toHaveLength(4);
    // Each list line shows exactly what the API computed.
    for (const schedule of items) {
      const line = card.locator(`li[data-schedule-id="${schedule.id}"] [data-testid="next-run"]`);
      expect(await line.textContent()).toBe(schedule.next_run_text);
      expect(schedule.next_run_text).toMatch(/^Next sync: /);
    }
    await card.getByRole("listitem", { name: "Bills sync · Every Monday at 8:00 AM" }).waitFor();
    await card.getByRole("listitem", { name: "Full sync · Monthly on the 1st at 6:00 AM" }).waitFor();
    await card.getByRole("listitem", { name: "Sales sync · Every hour, on the hour" }).waitFor();
  }, STEP_TIMEOUT);

  it("turns the daily schedule off and on again and reads its next-run text", async () => {
    const item = scheduleCard().getByRole("listitem", { name: "Full sync · Every day at 9:00 AM" });
    const next = item.getByTestId("next-run");
    const toggle = item.getByRole("switch", { name: "Enabled" });
    expect(await toggle.isChecked()).toBe(true);
    // The switch is controlled by the server's answer, so click and wait for that answer
    // (Playwright's uncheck() insists the state flips within the click itself).
    await toggle.click();
    await waitForText(next, "Disabled");
    expect(await toggle.isChecked()).toBe(false);

    await toggle.click();
    const now = DateTime.now().setZone("Europe/Tirane");
    const expected = now.hour < 9 ? "Next sync: Today at 9:00 AM" : "Next sync: Tomorrow at 9:00 AM";
    await waitForText(next, expected);
    expect(await next.textContent()).toBe(expected);
    await screenshot(page, "05-company-scheduled-syncs");
  }, STEP_TIMEOUT);

  it("edits and deletes a schedule through the card", async () => {
    const card = scheduleCard();
    await card.getByRole("button", { name: "Edit: Sales sync · Every hour, on the hour" }).click();
    const form = card.getByRole("form", { name: "Edit schedule" });
    await form.getByLabel("Minutes past the hour").selectOption("30");
    await form.getByRole("button", { name: "Save changes" }).click();
    await card.getByRole("listitem", { name: "Sales sync · Every hour at 30 minutes past" }).waitFor();
    await form.waitFor({ state: "detached" });

    // Delete a fifth schedule so the four examples stay.
    await addSchedule({ frequency: "Daily", time: "17:30", job: "Sales", range: "90" });
    await card.getByRole("button", { name: "Delete: Sales sync · Every day at 5:30 PM" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this schedule?" });
    await confirm.getByRole("button", { name: "Delete schedule" }).click();
    await card.getByRole("listitem", { name: "Sales sync · Every day at 5:30 PM" }).waitFor({ state: "detached" });
    expect(await card.locator("li[data-schedule-id]").count()).toBe(4);
  }, STEP_TIMEOUT);

  it("runs a sync now, follows its progress to the end and shows the counts", async () => {
    const runCard = page.getByRole("region", { name: "Run now" });
    await runCard.getByLabel("What to sync").selectOption("full");
    await runCard.getByLabel("Documents from").selectOption("30");
    const [started] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/companies/${companyId}/runs`) && r.request().method() === "POST"),
      runCard.getByRole("button", { name: "Start sync" }).click(),
    ]);
    expect(started.status(), await started.text()).toBe(202);
    runId = ((await started.json()) as { id: number }).id;
    const progress = runCard.locator(`.run-progress[data-run-id="${runId}"]`);
    await progress.waitFor();
    // Live progress: poll until the run ends, whatever the outcome, then judge it.
    await runCard.locator(`.run-progress[data-run-id="${runId}"]:not([data-run-status="queued"]):not([data-run-status="running"])`).waitFor({ timeout: 90_000 });
    const status = await progress.getAttribute("data-run-status");
    const result = await runCard.locator(".run-result").textContent();
    if (status !== "succeeded") {
      const failed = await apiGet<{ items: { doc_number: string | null; message: string | null }[] }>(`/api/runs/${runId}/items?action=failed&limit=5`);
      const run = await apiGet<Record<string, unknown>>(`/api/runs/${runId}`);
      expect.fail(`run ${runId} ended ${status}: ${result}\n${JSON.stringify({ error: run.error_message, counts: run.item_counts, failed: failed.items }, null, 1)}`);
    }
    expect(result).toMatch(/^Finished: [\d,]+ documents? handled\.$/);
    const created = await runCard.locator('[data-count="created"] strong').textContent();
    expect(Number(created)).toBeGreaterThan(0);
  }, 120_000);

  it("opens the run detail: summary counts, documents with QuickBooks links, and the run log", async () => {
    await page.getByRole("link", { name: "Open sync details" }).click();
    await page.waitForURL(new RegExp(`/runs/${runId}$`));
    await heading(`Sync #${runId} · Full`).waitFor();
    const total = Number((await page.getByTestId("run-total").textContent())!.replace(/,/g, ""));
    expect(total).toBeGreaterThan(0);
    await page.getByRole("list", { name: "Documents by result" }).waitFor();
    const rows = page.locator("table.run-items tbody tr");
    await rows.first().waitFor();
    const firstLink = page.locator("table.run-items tbody tr[data-action='created'] a").first();
    expect(await firstLink.getAttribute("href")).toMatch(/^https:\/\/app\.sandbox\.qbo\.intuit\.com\/app\/(invoice|bill)\?txnId=\w+/);
    await page.getByRole("list", { name: "Run log" }).locator("li").first().waitFor();
    const detail = await apiGet<{ item_counts: Record<string, number> }>(`/api/runs/${runId}`);
    expect(Object.values(detail.item_counts).reduce((a, b) => a + b, 0)).toBe(total);
    await screenshot(page, "06-run-detail", { fullPage: false });
  }, STEP_TIMEOUT);

  it("shows every main page with content (screenshots for the README)", async () => {
    await page.getByRole("link", { name: "Companies" }).click();
    await page.locator(`tr[data-company-id="${companyId}"]`).getByText("QuickBooks connected").waitFor();
    await page.locator(`tr[data-company-id="${companyId}"]`).getByText("Succeeded").waitFor();
    await screenshot(page, "03-companies-overview");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    await heading("Sync history").waitFor();
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.getByLabel("Result").selectOption("failed,partial");
    await page.getByText("No sync matches these filters").waitFor();
    await page.getByLabel("Result").selectOption("succeeded");
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await screenshot(page, "07-runs-history");

    await page.goto(url(`/companies/${companyId}/documents`));
    await page.locator("table tbody tr").first().waitFor();
    await screenshot(page, "08-synced-documents");

    await page.goto(url(`/companies/${companyId}/charts`));
    await page.getByRole("heading", { name: "Documents synced per day" }).waitFor();
    await page.locator("svg.chart rect").first().waitFor();
    await screenshot(page, "09-charts");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Schedules" }).click();
    await heading("Schedules").waitFor();
    await page.locator("table tbody tr").nth(3).waitFor();
    await screenshot(page, "11-schedules-monitor");
  }, STEP_TIMEOUT);

  it("administers users, API keys (shown once) and reads the audit log", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await heading("Users").waitFor();
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a user" });
    await dialog.getByLabel("Name").fill("Blerina Kola");
    await dialog.getByLabel("Email").fill("blerina@studio-kontabel.al");
    await dialog.getByLabel("Password").fill("another long passphrase");
    await dialog.getByRole("button", { name: "Add user" }).click();
    const access = page.getByRole("checkbox", { name: `Run syncs: ${tenant.companyName}` });
    await access.click();
    await waitForChecked(access);
    await waitForChecked(page.getByRole("checkbox", { name: `View: ${tenant.companyName}` }));
    await screenshot(page, "12-users-and-access");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
    await page.getByText("No API keys").waitFor();
    await page.getByRole("button", { name: "Create API key" }).first().click();
    const create = page.getByRole("dialog", { name: "Create an API key" });
    await create.getByLabel("Name").fill("Reporting spreadsheet");
    await create.getByRole("checkbox", { name: tenant.companyName }).check();
    await create.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByRole("dialog", { name: "Copy your new API key now" });
    const key = (await shown.getByTestId("new-api-key").textContent())!.trim();
    expect(key).toMatch(/^dsk_/);
    await screenshot(page, "13-api-key-created");
    const withKey = await fetch(url("/api/companies"), { headers: { authorization: `Bearer ${key}` } });
    expect(withKey.status).toBe(200);
    await shown.getByRole("button", { name: "I have stored the key" }).click();
    await page.getByRole("button", { name: "Revoke Reporting spreadsheet" }).click();
    await page.getByRole("dialog", { name: "Revoke “Reporting spreadsheet”?" }).getByRole("button", { name: "Revoke key" }).click();
    await page.getByText("No API keys").waitFor();
    expect((await fetch(url("/api/companies"), { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    // Shown once: nothing the page can fetch carries it again.
    const list = await page.request.get(url("/api/api-keys?include_revoked=true"));
    expect(await list.text()).not.toContain(key);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await heading("Audit log").waitFor();
    await page.getByLabel("Action").selectOption("schedule.");
    await page.getByRole("cell", { name: "Turned a schedule off" }).waitFor();
    expect(await page.getByRole("cell", { name: "Added a schedule" }).count()).toBe(5);
    await page.getByLabel("Action").selectOption("");
    await page.getByRole("cell", { name: "Revoked an API key" }).waitFor();
    await screenshot(page, "14-audit-log");
  }, STEP_TIMEOUT);

  it("works at phone width", async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(url("/"));
    await phone.getByRole("heading", { level: 1, name: "Companies" }).waitFor();
    await phone.getByRole("link", { name: tenant.companyName }).waitFor();
    // Nothing is wider than the screen: no sideways scrolling of the page itself.
    const overflow = await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, "15-phone-companies");
    await phone.goto(url(`/companies/${companyId}`));
    await phone.getByRole("heading", { name: "Scheduled Syncs" }).waitFor();
    await screenshot(phone, "16-phone-scheduled-syncs");
    await phone.close();
  }, STEP_TIMEOUT);

  it("handles an ended session gracefully and returns to the same page after logging in", async () => {
    await page.goto(url(`/companies/${companyId}/runs`));
    await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
    // The server forgets the session (expiry, logout elsewhere); the next request gets 401.
    await context.clearCookies();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    await page.getByText("Your session has ended").waitFor();
    await heading("Log in").waitFor();
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await heading("Sync history").waitFor();
    expect(new URL(page.url()).pathname).toBe("/runs");
  }, STEP_TIMEOUT);
});

function scheduleCard(): Locator {
  return page.getByRole("region", { name: "Scheduled Syncs" });
}

interface ScheduleSpec {
  frequency: "Hourly" | "Daily" | "Weekly" | "Monthly";
  time?: string;
  weekday?: string;
  dayOfMonth?: string;
  job: "Sales" | "Bills" | "Full";
  range: "7" | "30" | "60" | "90" | "custom";
  customDays?: string;
}

async function addSchedule(spec: ScheduleSpec): Promise<void> {
  const card = scheduleCard();
  const before = await card.locator("li[data-schedule-id]").count();
  await card.getByRole("button", { name: "Add schedule", exact: true }).click();
  const form = card.getByRole("form", { name: "New schedule" });
  await form.getByRole("radio", { name: spec.frequency, exact: true }).check();
  if (spec.time) await form.getByLabel("Time").fill(spec.time);
  if (spec.weekday) await form.getByLabel("Day of the week").selectOption({ label: spec.weekday });
  if (spec.dayOfMonth) await form.getByLabel("Day of the month").selectOption(spec.dayOfMonth);
  await form.getByRole("radio", { name: spec.job, exact: true }).check();
  await form.getByLabel("Date range").selectOption(spec.range);
  if (spec.customDays) await form.getByLabel("Number of days").fill(spec.customDays);
  await form.getByRole("button", { name: "Save schedule" }).click();
  await form.waitFor({ state: "detached" });
  await card.locator("li[data-schedule-id]").nth(before).waitFor();
}

async function waitForText(locator: Locator, text: string): Promise<void> {
  await locator.page().waitForFunction(
    ([el, expected]) => (el as { textContent: string | null }).textContent === expected,
    [await locator.elementHandle(), text] as const,
  );
}

async function waitForChecked(locator: Locator): Promise<void> {
  await locator.page().waitForFunction((el) => (el as { checked: boolean }).checked, await locator.elementHandle());
}

async function waitForOptions(select: Locator, atLeast: number): Promise<void> {
  await select.page().waitForFunction(([el, n]) => (el as { options: { length: number } }).options.length >= (n as number), [await select.elementHandle(), atLeast] as const);
}

async function expectValue(locator: Locator, value: string): Promise<void> {
  await locator.page().waitForFunction(([el, v]) => (el as { value: string }).value === v, [await locator.elementHandle(), value] as const);
}

// Runs after the steps above (vitest keeps a file's order): they drove every page under the policy.
describe("Content-Security-Policy", () => {
  it("changes one's own password from the user menu", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(url("/companies"));
    await heading("Companies").waitFor();
    const menu = page.locator(".usermenu");
    await menu.getByRole("button", { name: "Change password" }).click();
    const dialog = page.getByRole("dialog", { name: "Change your password" });
    await dialog.getByLabel("Current password").fill("not my password at all");
    await dialog.getByLabel("New password").fill("an even longer passphrase 2");
    await dialog.getByRole("button", { name: "Change password" }).click();
    await dialog.getByText("current_password is not right").waitFor();
    await dialog.getByLabel("Current password").fill(ADMIN.password);
    await dialog.getByRole("button", { name: "Change password" }).click();
    await page.getByText(/^Password changed\./).waitFor();
    await dialog.waitFor({ state: "hidden" });
    const fresh = await page.request.post(url("/api/auth/login"), { data: { email: ADMIN.email, password: "an even longer passphrase 2" } });
    expect(fresh.status()).toBe(200);
  }, STEP_TIMEOUT);

  it("ran every step above under a strict policy without a single violation", async () => {
    const response = await page.goto(url("/companies"));
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await heading("Companies").waitFor();
    // The listener works: an injected inline script is blocked and reported.
    const before = cspViolations.length;
    await page.evaluate('{ const script = document.createElement("script"); script.textContent = "window.__injected = true"; document.body.append(script); }');
    const injected = () => cspViolations.slice(before).filter((m) => /script-src|inline script/.test(m));
    await expect.poll(() => injected().length).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate("window.__injected")).toBeUndefined();
    // Chromium may log the same refusal a second time in its own words; neither is the dashboard's.
    const ours = cspViolations.filter((m, i) => i < before || !/script-src|inline script/.test(m));
    expect(ours).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, STEP_TIMEOUT);
});
