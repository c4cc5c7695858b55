import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../../../server/src/config';
import { configProblems } from '../../support/config-problems';

const SETTINGS = {
  XPAY_OFFER_ID: '1450593228',
  XPAY_APP_KEY: 'Prod8AppKey2ForTests0000000000000',
  XPAY_SANDBOX_APP_KEY: 'Sandbox1AppKey2ForTests000000000',
  XPAY_ENV: '1',
  WECHAT_PUSH_TOKEN: 'TokenTill2026',
  WECHAT_PUSH_AES_KEY: 'kWxPqT3uYvZ8aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u',
};

describe('virtual payment settings', () => {
  test('are read with their shapes checked, XPAY_ENV as a number', () => {
    const config = loadConfig({ SANDBOX: '1', ...SETTINGS });
    expect(config).toMatchObject({ ...SETTINGS, XPAY_ENV: 1 });
    expect(loadConfig({ SANDBOX: '1', XPAY_ENV: '0' }).XPAY_ENV).toBe(0);
    expect(loadConfig({ SANDBOX: '1' }).XPAY_ENV).toBeUndefined();
  });

  test('bad values are refused by name, and secrets are never echoed', () => {
    const problems = configProblems({
      SANDBOX: '1',
      XPAY_OFFER_ID: 'offer id',
      XPAY_APP_KEY: 'has a space in it',
      XPAY_SANDBOX_APP_KEY: 'short',
      XPAY_ENV: '2',
      WECHAT_PUSH_TOKEN: 'ab',
      WECHAT_PUSH_AES_KEY: 'x'.repeat(42),
    });
    for (const name of Object.keys(SETTINGS)) {
      expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
    const text = problems.join('\n');
    for (const secret of ['has a space in it', 'short', 'x'.repeat(42)]) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"offer id"'); // not a secret: shown, to help fix it
  });

  test('the AppKeys and the push secrets may come from files (<NAME>_FILE)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentill-xpay-config-'));
    const file = join(dir, 'app-key');
    writeFileSync(file, `${SETTINGS.XPAY_APP_KEY}\n`);
    expect(loadConfig({ SANDBOX: '1', XPAY_APP_KEY_FILE: file }).XPAY_APP_KEY).toBe(SETTINGS.XPAY_APP_KEY);
  });
});
