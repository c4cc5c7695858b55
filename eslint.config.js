// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const reactHooks = require('eslint-plugin-react-hooks');
const globals = require('globals');

/** Where the process is composed: the only server files that may wire in the sandboxes. */
const COMPOSITION_ROOTS = [
  'server/src/server.ts',
  'server/src/worker-main.ts',
  'server/src/sandbox-main.ts',
  'server/src/merchant.ts',
  'server/src/reconcile-bills-main.ts',
];
const OPENAI = {
  name: 'openai',
  message: 'Only the model router (server/src/inference/router) talks to providers through the openai SDK.',
};
const SANDBOXES = {
  regex: '(^|/)(sandbox|mock-model)/',
  message:
    'The sandboxes are wired in only by the composition roots (server.ts, worker-main.ts, sandbox-main.ts).',
};
/** @param {string} name */
const notInPayment = (name) => ({
  name,
  message:
    'payment/ is the WeChat Pay protocol over fetch: no HTTP framework, no Redis (keep it portable and testable).',
});

module.exports = tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-h5/**',
      'coverage/**',
      'test-output/**',
      '.sandbox/**',
      'miniprogram/.swc/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // The server reads configuration in one place only.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through server/src/config.ts.' },
      ],
    },
  },
  {
    // Places allowed to read the environment: the config module, the client's TARO_APP_* typing, tools and tests.
    files: ['server/src/config.ts', 'miniprogram/**', 'scripts/**', 'test/**', 'bench/**', '*.js', '.ci/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  // The layering, enforced. The openai SDK is the model router's alone; payment/ speaks HTTP through fetch and
  // knows neither Koa nor Redis; the sandboxes are wired in only by the composition roots.
  {
    files: ['server/src/**/*.ts'],
    ignores: [
      'server/src/inference/router/**',
      'server/src/sandbox/**',
      'server/src/mock-model/**',
      ...COMPOSITION_ROOTS,
    ],
    rules: { 'no-restricted-imports': ['error', { paths: [OPENAI], patterns: [SANDBOXES] }] },
  },
  {
    files: ['server/src/payment/**/*.ts', 'server/src/xpay/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [OPENAI, ...['koa', '@koa/router', '@koa/bodyparser', 'ioredis'].map(notInPayment)],
          patterns: [SANDBOXES],
        },
      ],
    },
  },
  {
    files: ['server/src/inference/router/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SANDBOXES] }] },
  },
  {
    files: COMPOSITION_ROOTS,
    rules: { 'no-restricted-imports': ['error', { paths: [OPENAI] }] },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['miniprogram/src/**/*.{ts,tsx}', 'test/miniprogram/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: { globals: { ...globals.jest } },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
