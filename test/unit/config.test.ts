import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SETTING_NAMES, loadConfig } from '../../server/src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('starts in sandbox mode on embedded defaults when no WeChat credentials are set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'tt:',
      SANDBOX: true,
      SANDBOX_KEYS_DIR: '.sandbox',
    });
    // The sandbox points these at itself once it knows the port it listens on.
    expect(config.WXPAY_API_BASE).toBeUndefined();
    expect(config.PUBLIC_BASE_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names a malformed PORT and says what is expected', () => {
    const problems = problemsOf({ PORT: 'eighty' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: expected a TCP port number/);
    expect(problems[0]).toContain('"eighty"');
  });

  it('reports every bad setting at once, not just the first', () => {
    const problems = problemsOf({ PORT: '70000', REDIS_URL: 'http://localhost', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it('requires the live credentials, by name, when SANDBOX=0', () => {
    const problems = problemsOf({ SANDBOX: '0' });
    for (const name of [
      'WECHAT_APPID',
      'WECHAT_APPSECRET',
      'WXPAY_MCHID',
      'OPENID_HMAC_SECRET',
      'PUBLIC_BASE_URL',
    ]) {
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${name}: required when SANDBOX=0`)));
    }
  });

  const live = {
    SANDBOX: '0',
    WECHAT_APPID: 'wx0123456789abcdef',
    WECHAT_APPSECRET: 'secret',
    WXPAY_MCHID: '1900000109',
    WXPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    WXPAY_MERCHANT_KEY_FILE: '/run/secrets/apiclient_key.pem',
    WXPAY_APIV3_KEY: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
    WXPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0114232134912410000000000000',
    WXPAY_PUBLIC_KEY_FILE: '/run/secrets/pub_key.pem',
    OPENID_HMAC_SECRET: 'x'.repeat(32),
    PUBLIC_BASE_URL: 'https://pay.example.com/',
  };

  it('accepts a complete live configuration and defaults the real WeChat endpoints', () => {
    expect(loadConfig(live)).toMatchObject({
      SANDBOX: false,
      PUBLIC_BASE_URL: 'https://pay.example.com',
      WXPAY_API_BASE: 'https://api.mch.weixin.qq.com',
      WECHAT_API_BASE: 'https://api.weixin.qq.com',
    });
  });

  it('accepts certificate mode alone, and both modes at once during a migration', () => {
    const certOnly = {
      ...live,
      WXPAY_PUBLIC_KEY_ID: '',
      WXPAY_PUBLIC_KEY_FILE: '',
      WXPAY_PLATFORM_CERT_FILES: 'a.pem, b.pem',
    };
    expect(loadConfig(certOnly).WXPAY_PLATFORM_CERT_FILES).toEqual(['a.pem', 'b.pem']);
    expect(loadConfig({ ...live, WXPAY_PLATFORM_CERT_FILES: 'a.pem' }).WXPAY_PUBLIC_KEY_ID).toBe(
      live.WXPAY_PUBLIC_KEY_ID,
    );
  });

  it('refuses a plain-http public URL, a half-configured public key and a short APIv3 key for live payments', () => {
    const problems = problemsOf({
      ...live,
      PUBLIC_BASE_URL: 'http://pay.example.com',
      WXPAY_PUBLIC_KEY_FILE: '',
      WXPAY_APIV3_KEY: 'short',
    });
    expect(problems).toEqual([expect.stringMatching(/^WXPAY_APIV3_KEY: expected exactly 32 bytes/)]);
    const second = problemsOf({
      ...live,
      PUBLIC_BASE_URL: 'http://pay.example.com',
      WXPAY_PUBLIC_KEY_FILE: '',
    });
    expect(second).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL: WeChat Pay only calls https/),
      expect.stringMatching(/^WXPAY_PUBLIC_KEY_ID: set together with WXPAY_PUBLIC_KEY_FILE/),
    ]);
  });

  it('leaves sandbox mode on its own once WeChat credentials are configured', () => {
    const problems = problemsOf({ WECHAT_APPID: 'wx0123456789abcdef' });
    expect(problems).toContainEqual(expect.stringMatching(/^WXPAY_MCHID: required/));
  });

  it('reads secrets from *_FILE paths and never echoes a secret in an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const secretFile = join(dir, 'hmac');
    writeFileSync(secretFile, `${'s'.repeat(40)}\n`);
    expect(loadConfig({ OPENID_HMAC_SECRET_FILE: secretFile }).OPENID_HMAC_SECRET).toBe('s'.repeat(40));

    const problems = problemsOf({ OPENID_HMAC_SECRET: 'too-short-secret' });
    expect(problems[0]).toMatch(/^OPENID_HMAC_SECRET: expected at least 32 characters/);
    expect(problems[0]).not.toContain('too-short-secret');

    expect(problemsOf({ WXPAY_APIV3_KEY_FILE: join(dir, 'missing') })).toEqual([
      expect.stringMatching(/^WXPAY_APIV3_KEY_FILE: cannot read .*missing \(ENOENT\)/),
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_PREFIX: '' }).PORT).toBe(3000);
  });

  it('documents every setting in .env.example', () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const undocumented = SETTING_NAMES.filter((name) => name !== 'NODE_ENV' && !documented.has(name));
    expect(undocumented).toEqual([]);
  });
});
