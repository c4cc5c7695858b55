import { loadConfig } from '../../server/src/config';
import { configProblems } from '../support/config-problems';

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
    expect(configProblems({ TRUST_PROXY: 'true' })).toEqual([
      'TRUST_PROXY: expected the number of reverse proxies in front of the server (0 = none) (got "true")',
    ]);
    expect(configProblems({ TRUST_PROXY: '-1' })).toEqual([
      'TRUST_PROXY: expected 0 or more proxies (got "-1")',
    ]);
  });

  it('refuses a limit of zero, which would lock every user out', () => {
    expect(configProblems({ CONFIRMS_PER_MINUTE: '0', LOGINS_PER_IP_PER_MINUTE: '0' })).toEqual([
      expect.stringMatching(/^CONFIRMS_PER_MINUTE: /),
      expect.stringMatching(/^LOGINS_PER_IP_PER_MINUTE: /),
    ]);
  });
});
