// Flat config for the whole tree: TypeScript (type-aware rules off to keep
// `npm run check` fast; tsc already checks types), plus the Node scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.venv/**',
      '.venv-*/**',
      '.e2e/**',
      '**/*.vsix',
      'runtime/python/**',
      'test-results/**',
      'screenshots/**',
      'bench/results/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['extension/**/*.ts'],
    ignores: [
      'extension/extension.ts',
      'extension/debug/debugProvider.ts',
      'extension/debug/debugSessions.ts',
      'extension/debug/debugSync.ts',
      'extension/tasksView/tasksView.ts',
      'extension/panel/taskTreePanel.ts',
      'extension/panel/siteOpener.ts',
      'extension/commands/runFile.ts',
      'extension/commands/recordings.ts',
      'extension/statusItem.ts',
      'extension/export/exportCommands.ts',
      'extension/commands/palette.ts',
      'extension/panel/treePlacement.ts',
      'extension/lints/lintViews.ts',
    ],
    rules: {
      // The pure core (store, collector, bridge, env merging) is tested in plain Node: no vscode there.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'Keep this module vscode-free; put VS Code calls in the thin wiring files.' },
          ],
        },
      ],
    },
  },
  {
    // The lints' wiring to VS Code (Problems panel, inlay hints); their logic is in vscode-free modules beside them.
    files: ['extension/lints/problems.ts', 'extension/lints/editorHints.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Small rooms (DESIGN.md): a file under ~400 lines, a function under ~80, so each behaviour has a findable home.
    files: ['extension/**/*.ts', 'webview/**/*.ts', 'contract/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  // Boundaries. contract/ is the one module both sides import (wire events,
  // store rows, panel messages): it imports nothing. The webview imports no
  // host code; the store imports neither vscode nor the collector, so it can
  // be driven by recordings, tests and benches alike.
  {
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The contract is shared by host and webview.' }],
          patterns: [
            {
              group: ['**/extension/**', '**/webview/**', 'node:*', 'd3-*'],
              message: 'The contract imports nothing but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview talks to the host only by messages.' }],
          patterns: [
            {
              group: ['**/extension/**', 'node:*'],
              message: 'The webview imports no host code: share types through contract/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['extension/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The store is pure: tested in plain Node.' }],
          patterns: [
            {
              group: ['**/collector/**', '**/panel/**', '**/debug/**', '**/commands/**'],
              message: 'The store takes typed events (contract/wire.ts); it does not read streams or talk to the UI.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/unit/**/*.ts', 'test/integration/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Unit and integration tests run in plain Node.' }] },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Node scripts outside this part's ownership: unused bindings warn, they do not fail the check.
    files: ['scripts/**/*.mjs'],
    rules: { '@typescript-eslint/no-unused-vars': 'warn' },
  },
  {
    // CommonJS (the e2e debugpy shim extension, any .cjs).
    files: ['**/*.cjs', 'test/e2e/debugpy-shim/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Playwright and extension-host code: page callbacks run in the browser, suites load with require().
    files: ['test/e2e/**/*.ts', 'test/e2e/**/*.mjs', 'test/e2e/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.mocha } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['webview/**/*.ts', 'test/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**/*.ts', 'test/unit/**/*.mjs'],
    languageOptions: { globals: { ...globals.mocha, ...globals.node } },
  },
);
