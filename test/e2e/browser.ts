import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const SCREENSHOT_DIR = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
export const CHROMIUM = process.env.DEVSYNC_CHROMIUM ?? "/usr/bin/chromium";

/** Debian's Chromium, headless; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let fonts settle and toasts/animations finish so the pictures are stable.
  await page.evaluate("document.fonts.ready.then(() => undefined)");
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: options.fullPage ?? true, animations: "disabled", caret: "hide" });
}
