// Drives the VS Code workbench that code-server serves, in Debian's Chromium
// through playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';
import { CHROMIUM } from './prerequisites.mjs';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The runner owns Ctrl-C: it closes the browser itself, after printing what it knows.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
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

/** F1, type the command title, pick the row whose label is exactly the title. */
const VERBOSE = process.env.NURSERY_LENS_E2E_VERBOSE === '1';

export async function runCommand(page, title, { timeout = 20000 } = {}) {
  if (VERBOSE) console.log(`[e2e ${new Date().toISOString().slice(11, 23)}] command: ${title}`);
  // Once more after Escape when the palette does not take the text: on a loaded machine F1 can land while
  // focus is still moving out of a webview, leaving a palette that shows but never becomes editable.
  for (let attempt = 0; ; attempt++) {
    try {
      await focusWorkbench(page);
      await page.keyboard.press('F1');
      await quickInput(page, '>' + title, title, { timeout, fillTimeout: attempt ? undefined : 10000 });
      return;
    } catch (e) {
      if (attempt) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/** Type `text` into the open quick input, then click the row labelled exactly `label`. */
export async function quickInput(page, text, label, { timeout = 20000, fillTimeout = undefined } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(text, { timeout: fillTimeout });
  if (label === undefined) return;
  const deadline = Date.now() + timeout;
  let typed = Date.now();
  for (;;) {
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const labels = await rows.evaluateAll((els) =>
      els.map((el) => el.querySelector('.label-name')?.textContent?.trim() ?? ''),
    );
    const i = labels.indexOf(label);
    if (i >= 0) {
      await rows.nth(i).click();
      return;
    }
    if (Date.now() > deadline) throw new Error(`no quick-pick row labelled "${label}" (rows: ${labels.join(' | ')})`);
    // Commands of an extension host that is still starting are missing from a
    // list filtered before they registered: type again.
    if (Date.now() - typed > 2000) {
      typed = Date.now();
      await input.fill('');
      await input.fill(text);
    }
    await page.waitForTimeout(150);
  }
}

/**
 * Moves the editor's cursor to `line` (Go to Line/Column…) and waits until the
 * status bar says it is there; tries again when it is not (a loaded machine
 * can lose the Enter, and a breakpoint toggled then lands on line 1).
 */
export async function goToLine(page, line, tries = 3) {
  const there = page.locator('.statusbar').getByText(new RegExp(`^Ln ${line}, Col \\d+`));
  for (let i = 1; ; i++) {
    await runCommand(page, 'Go to Line/Column...');
    await quickInput(page, `:${line}`);
    await page.keyboard.press('Enter');
    const ok = await there
      .first()
      .waitFor({ state: 'visible', timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    if (ok) return;
    if (i >= tries) throw new Error(`the cursor did not reach line ${line} (Go to Line/Column…, ${tries} tries)`);
    await page.keyboard.press('Escape');
  }
}

/** Put the keyboard focus in the workbench (not in a webview iframe) and press `key`. */
export async function pressInWorkbench(page, key) {
  await focusWorkbench(page);
  // A webview iframe holding the focus would get the key instead of the workbench.
  await page.evaluate(() => {
    if (document.activeElement?.tagName === 'IFRAME') document.activeElement.blur();
  });
  await page.keyboard.press(key);
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
      } catch {
        /* frame navigated or detached meanwhile */
      }
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
  throw new Error(
    `timed out after ${timeout / 1000} s waiting for ${what}` + (lastError ? `: ${lastError.message}` : ''),
  );
}

/** Text of the workbench notifications currently shown (for error messages). */
export async function notifications(page) {
  return page
    .locator('.notifications-toasts .notification-list-item-message')
    .allInnerTexts()
    .catch(() => []);
}

/** Answer code-server's simple file dialog (a quick input holding a path) with `path`. */
export async function answerFileDialog(page, path) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  // The dialog fills in its starting folder asynchronously; typing before
  // that lands would be overwritten.
  await eventually(async () => (await input.inputValue()).length > 0, {
    timeout: 10000,
    what: 'the file dialog to show its folder',
  });
  await page.waitForTimeout(300);
  for (let attempt = 0; attempt < 3; attempt++) {
    await input.fill(path);
    await page.waitForTimeout(400);
    if ((await input.inputValue()) !== path) continue;
    await page.keyboard.press('Enter');
    try {
      await widget.waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch {
      /* still open: the dialog navigated instead of accepting; type again */
    }
  }
  throw new Error(`the file dialog did not accept ${path} (it shows ${await input.inputValue()})`);
}
