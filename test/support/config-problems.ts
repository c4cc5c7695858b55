import { ConfigError, loadConfig } from '../../server/src/config';

/** The problems `loadConfig` lists for `env`; fails the test when the configuration is accepted. */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected loadConfig to fail');
}
