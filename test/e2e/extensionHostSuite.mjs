// Runs the mocha suite (test/e2e/suite/) inside code-server's extension
// host: a window opened with extensionDevelopmentPath + extensionTestsPath
// in its `payload`. code-server must run with the smoke-test driver, which
// hands the suite's exit code to `window.codeAutomationExit` in the page;
// mocha's console output stays in the extension host, so the suite also
// writes a results file that we read here.
import { existsSync, readFileSync, rmSync } from 'node:fs';

/**
 * @returns {Promise<{ exitCode: number|null, outcomes: {title:string,state:string,ms:number,error?:string}[], done: boolean }>}
 */
export async function runExtensionHostSuite({
  browser,
  server,
  workspace,
  extensionPath,
  suiteIndex,
  resultsFile,
  timeoutMs = 150000,
  onPage,
}) {
  rmSync(resultsFile, { force: true });
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  let resolveExit;
  const exited = new Promise((r) => {
    resolveExit = r;
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  onPage?.(page);
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  const payload = [
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(suiteIndex)],
  ];
  await page.goto(
    `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
  );
  let timer;
  const exitCode = await Promise.race([
    exited,
    new Promise((r) => {
      timer = setTimeout(() => r(null), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  let results = { done: false, outcomes: [] };
  if (existsSync(resultsFile)) {
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    } catch {
      /* partially written */
    }
  }
  return { exitCode, page, context, ...results };
}
