import type { TestApp } from './test-app';

/** Closes every app built through the returned function after each test (their queue connections). */
export function trackApps(): (app: Promise<TestApp>) => Promise<TestApp> {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  return async (pending) => {
    const app = await pending;
    apps.push(app);
    return app;
  };
}
