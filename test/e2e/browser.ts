import { mkdirSync } from "node:fs";
import { resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Where pictures go: test-results/screenshots (git-ignored) on every `npm test`, so the suite
 * never dirties the work tree; `npm run screenshots` points this at docs/screenshots.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SCREENSHOT_DIR = resolve(ROOT, process.env.DEVSYNC_SCREENSHOT_DIR ?? "test-results/screenshots") + sep;
export const CHROMIUM = process.env.DEVSYNC_CHROMIUM ?? "/usr/bin/chromium";

/** Debian's Chromium, headless; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Short-lived confirmations ("Schedule saved.") are left out of the pictures. Hidden through the
 * DOM rather than Playwright's `style` option, which injects an inline <style> that the
 * dashboard's Content-Security-Policy rightly blocks (and the CSP test would report).
 */
const setToastsHidden = (page: Page, hidden: boolean) =>
  page.evaluate(
    hidden
      ? 'document.querySelectorAll(".toasts").forEach((e) => e.style.setProperty("display", "none", "important"))'
      : 'document.querySelectorAll(".toasts").forEach((e) => e.style.removeProperty("display"))',
  );

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let fonts settle and toasts/animations finish so the pictures are stable.
  await page.evaluate("document.fonts.ready.then(() => undefined)");
  await setToastsHidden(page, true);
  try {
    await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: options.fullPage ?? true, animations: "disabled", caret: "hide" });
  } finally {
    await setToastsHidden(page, false);
  }
}
