// One jest config, one project per test layer. `npm test` (scripts/test.mjs) runs them in order;
// each can be run alone with `npx jest --selectProjects <name>`.
const swcNode = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

/** Shared settings for every server-side project (Node environment, TypeScript through swc). */
const nodeProject = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': swcNode },
  moduleNameMapper: {
    // Read shared-types from source, like the root tsconfig does, so tests need no build.
    '^@tokentill/shared-types$': '<rootDir>/shared-types/src/index.ts',
    // nodenext-style ".js" specifiers in TypeScript sources resolve to the .ts files.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  ...extra,
});

/** Integration and e2e tests need a Redis: the global setup finds or starts one (test/support/redis-server.ts). */
const withRedis = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    nodeProject('unit'),
    nodeProject('integration', withRedis),
    nodeProject('e2e', withRedis),
    // Seeded fuzzing of every entry point that takes outside input (FUZZ_SEED, FUZZ_CASES; see test/fuzz).
    nodeProject('fuzz', withRedis),
    // Headless Chromium (Debian's, through playwright-core) driving the H5 build served by the real server.
    nodeProject('browser', withRedis),
    {
      // Pages and components of the Mini Program, rendered with Testing Library in jsdom. Taro's components
      // and API are mapped to small host components and jest.fn()s (see test/miniprogram/mocks).
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test/miniprogram'],
      testMatch: ['**/*.test.ts', '**/*.test.tsx'],
      transform: {
        '^.+\\.(t|j)sx?$': [
          '@swc/jest',
          {
            jsc: {
              parser: { syntax: 'typescript', tsx: true },
              transform: { react: { runtime: 'automatic' } },
              target: 'es2022',
            },
            module: { type: 'commonjs' },
          },
        ],
      },
      moduleNameMapper: {
        '^@tarojs/components$': '<rootDir>/test/miniprogram/mocks/taro-components.tsx',
        '^@tarojs/taro$': '<rootDir>/test/miniprogram/mocks/taro.ts',
        '\\.(css|scss|less)$': '<rootDir>/test/miniprogram/mocks/style.ts',
        '^@tokentill/shared-types$': '<rootDir>/shared-types/src/index.ts',
        '^(\\.{1,2}/.*)\\.js$': '$1',
      },
    },
  ],
};
