import { ConfigError, loadConfig } from '../../server/src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ SANDBOX: '1', ...env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected loadConfig to fail');
}

describe('settings of the limits on confirm and login', () => {
  it('has defaults that protect WeChat quota, and no trusted proxy', () => {
    expect(loadConfig({ SANDBOX: '1' })).toMatchObject({
      CONFIRMS_PER_MINUTE: 30,
      CONFIRM_QUERY_INTERVAL_MS: 3_000,
      LOGINS_PER_IP_PER_MINUTE: 20,
      TRUST_PROXY: 0,
    });
  });

  it('reads TRUST_PROXY as a number of proxies, and says so when given a flag', () => {
    expect(loadConfig({ SANDBOX: '1', TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([
      'TRUST_PROXY: expected the number of reverse proxies in front of the server (0 = none) (got "true")',
    ]);
    expect(problemsOf({ TRUST_PROXY: '-1' })).toEqual(['TRUST_PROXY: expected 0 or more proxies (got "-1")']);
  });

  it('refuses a limit of zero, which would lock every user out', () => {
    expect(problemsOf({ CONFIRMS_PER_MINUTE: '0', LOGINS_PER_IP_PER_MINUTE: '0' })).toEqual([
      expect.stringMatching(/^CONFIRMS_PER_MINUTE: /),
      expect.stringMatching(/^LOGINS_PER_IP_PER_MINUTE: /),
    ]);
  });
});
