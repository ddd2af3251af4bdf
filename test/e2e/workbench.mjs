// Drives the VS Code workbench that code-server serves, in Debian's Chromium
// through playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.NURSERY_LENS_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
    ],
  });
}

/** A new page on the workbench of `folder`, waited until the workbench is drawn. */
export async function openWorkbench(browser, url, folder, { payload, beforeNavigate } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  if (beforeNavigate) await beforeNavigate(page);
  let target = `${url}?folder=${encodeURIComponent(folder)}`;
  if (payload) target += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(target);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  return page;
}

/** F1, type the command title, pick the row whose label matches exactly, Enter. */
export async function runCommand(page, title, { timeout = 20000 } = {}) {
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill('>' + title);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout });
  // The first matching row is highlighted; make sure it is ours before Enter.
  await row.click();
}

/** Dismiss whatever quick input or notification holds the focus, and focus the editor area. */
export async function focusWorkbench(page) {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible().catch(() => false)) await page.keyboard.press('Escape');
}

/** The frame (webviews are iframes inside iframes) that holds `selector`. */
export async function findFrame(page, selector, { timeout = 30000 } = {}) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      try {
        if (await frame.$(selector)) return frame;
      } catch { /* frame navigated or detached meanwhile */ }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame holds ${selector} after ${timeout / 1000} s`);
}

/** Poll `fn` (async, returns truthy when done) until it is truthy or time is up; returns its value. */
export async function eventually(fn, { timeout = 20000, interval = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}` + (lastError ? `: ${lastError.message}` : ''));
}

/** Text of the workbench notifications currently shown (for error messages). */
export async function notifications(page) {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts().catch(() => []);
}
