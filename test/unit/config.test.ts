import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTING_NAMES, loadConfig } from '../../server/src/config';
import { configProblems } from '../support/config-problems';

const root = join(__dirname, '..', '..');
const exampleCatalog = join(root, 'config', 'tokentill.example.json');
/** The API-key variables config/tokentill.example.json names, one per provider. */
const exampleKeys = {
  DASHSCOPE_API_KEY: 'sk-dashscope',
  DEEPSEEK_API_KEY: 'sk-deepseek',
  OPENAI_API_KEY: 'sk-openai',
  OPENROUTER_API_KEY: 'sk-openrouter',
};

describe('loadConfig', () => {
  it('starts in sandbox mode on embedded defaults when asked with SANDBOX=1', () => {
    const config = loadConfig({ SANDBOX: '1' });
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
    const problems = configProblems({ PORT: 'eighty' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: expected a TCP port number/);
    expect(problems[0]).toContain('"eighty"');
  });

  it('reports every bad setting at once, not just the first', () => {
    const problems = configProblems({ PORT: '70000', REDIS_URL: 'http://localhost', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it('requires the live credentials, by name, when SANDBOX=0', () => {
    const problems = configProblems({ SANDBOX: '0' });
    for (const name of [
      'WECHAT_APPID',
      'WECHAT_APPSECRET',
      'WXPAY_MCHID',
      'OPENID_HMAC_SECRET',
      'PUBLIC_BASE_URL',
    ]) {
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${name}: required in live mode`)));
    }
  });

  it('runs live when SANDBOX is unset, listing what is missing and how to get the sandbox instead', () => {
    const problems = configProblems({ NODE_ENV: 'production' });
    expect(problems[0]).toMatch(/^SANDBOX: not set, so the server runs in live mode/);
    expect(problems[0]).toContain('set SANDBOX=1 to run the embedded sandboxes');
    expect(problems).toContainEqual(expect.stringMatching(/^WXPAY_MCHID: required in live mode/));
  });

  it('refuses the sandbox in production, naming the conflict and the one override', () => {
    const problems = configProblems({ SANDBOX: '1', NODE_ENV: 'production' });
    expect(problems).toEqual([
      expect.stringMatching(/^SANDBOX: SANDBOX=1 with NODE_ENV=production: .*POST \/sandbox\/pay/),
    ]);
    expect(problems[0]).toContain('SANDBOX_ALLOW_UNSAFE=1');
  });

  it.each([
    ['WECHAT_APPID', 'wx0123456789abcdef'],
    ['WECHAT_APPSECRET', 'secret'],
    ['WXPAY_MCHID', '1900000109'],
    ['WXPAY_MERCHANT_SERIAL', '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'],
    ['WXPAY_MERCHANT_KEY_FILE', '/run/secrets/apiclient_key.pem'],
    ['WXPAY_APIV3_KEY', 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb'],
    ['WXPAY_PUBLIC_KEY_ID', 'PUB_KEY_ID_0114232134912410000000000000'],
    ['WXPAY_PUBLIC_KEY_FILE', '/run/secrets/pub_key.pem'],
    ['WXPAY_PLATFORM_CERT_FILES', 'a.pem'],
  ])('refuses the sandbox next to a live credential (%s)', (name, value) => {
    const problems = configProblems({ SANDBOX: '1', [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^SANDBOX: SANDBOX=1 but live WeChat credentials are set \\(${name}\\)`),
    );
    expect(problems[0]).toContain('SANDBOX_ALLOW_UNSAFE=1');
  });

  it('refuses the sandbox with a catalog of real providers, naming them', () => {
    const problems = configProblems({ SANDBOX: '1', TOKENTILL_CONFIG: exampleCatalog, ...exampleKeys });
    expect(problems).toEqual([
      expect.stringMatching(
        /^SANDBOX: SANDBOX=1 but TOKENTILL_CONFIG names real providers \(dashscope, deepseek, openai, gateway\)/,
      ),
    ]);
    expect(problems[0]).toContain('SANDBOX_ALLOW_UNSAFE=1');
  });

  it('runs the sandbox despite every conflict when SANDBOX_ALLOW_UNSAFE=1 says it is deliberate', () => {
    const config = loadConfig({
      SANDBOX: '1',
      SANDBOX_ALLOW_UNSAFE: '1',
      NODE_ENV: 'production',
      WECHAT_APPID: 'wx0123456789abcdef',
      TOKENTILL_CONFIG: exampleCatalog,
      ...exampleKeys,
    });
    expect(config).toMatchObject({ SANDBOX: true, SANDBOX_ALLOW_UNSAFE: true });
  });

  it('refuses a provider whose API-key variable is unset, in either mode, naming the variable', () => {
    const { DEEPSEEK_API_KEY: _unset, ...othersSet } = exampleKeys;
    const sandboxProblems = configProblems({
      SANDBOX: '1',
      SANDBOX_ALLOW_UNSAFE: '1',
      TOKENTILL_CONFIG: exampleCatalog,
      ...othersSet,
      DEEPSEEK_API_KEY: '',
    });
    expect(sandboxProblems).toEqual([
      expect.stringMatching(
        /^DEEPSEEK_API_KEY: required by provider "deepseek" of .*tokentill\.example\.json/,
      ),
    ]);
    const liveProblems = configProblems({ ...live, DEEPSEEK_API_KEY: undefined });
    expect(liveProblems).toEqual([
      expect.stringMatching(/^DEEPSEEK_API_KEY: required by provider "deepseek"/),
    ]);
  });

  it('refuses the mock model\'s "sandbox" provider in live mode, where nothing serves it', () => {
    const problems = configProblems({ ...live, TOKENTILL_CONFIG: '' });
    expect(problems).toEqual([
      expect.stringMatching(
        /^TOKENTILL_CONFIG: providers "sandbox-fast", .* use baseURL "sandbox".*only runs with SANDBOX=1/,
      ),
    ]);
  });

  it('refuses plain-http WeChat endpoints in live mode, and allows them in the sandbox', () => {
    const problems = configProblems({
      ...live,
      WECHAT_API_BASE: 'http://api.weixin.qq.com',
      WXPAY_API_BASE: 'http://api.mch.weixin.qq.com',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^WECHAT_API_BASE: expected an https URL in live mode \(the AppSecret/),
      expect.stringMatching(/^WXPAY_API_BASE: expected an https URL in live mode/),
    ]);
    const sandbox = loadConfig({ SANDBOX: '1', WXPAY_API_BASE: 'http://127.0.0.1:4010/sandbox/wxpay' });
    expect(sandbox.WXPAY_API_BASE).toBe('http://127.0.0.1:4010/sandbox/wxpay');
  });

  it('keeps metrics private: off the public port, and behind a token when bound beyond loopback live', () => {
    const byDefault = loadConfig({ SANDBOX: '1' });
    expect(byDefault.METRICS_PORT).toBeUndefined(); // not served unless asked for
    expect(byDefault.METRICS_HOST).toBe('127.0.0.1');
    expect(configProblems({ SANDBOX: '1', PORT: '9464', METRICS_PORT: '9464' })).toEqual([
      expect.stringMatching(/^METRICS_PORT: must differ from PORT \(9464\)/),
    ]);
    expect(configProblems({ SANDBOX: '1', METRICS_TOKEN: 't'.repeat(32) })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN: set, but metrics are only served when METRICS_PORT is set/),
    ]);
    expect(configProblems({ ...live, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN: required in live mode when METRICS_HOST \(0\.0\.0\.0\)/),
    ]);
    const token = 't'.repeat(32);
    expect(
      loadConfig({ ...live, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: token }),
    ).toMatchObject({ METRICS_PORT: 9464, METRICS_TOKEN: token });
    // A secret: never echoed in an error.
    expect(
      configProblems({ SANDBOX: '1', METRICS_PORT: '0', METRICS_TOKEN: 'short-token' })[0],
    ).not.toContain('short-token');
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
    TOKENTILL_CONFIG: exampleCatalog,
    ...exampleKeys,
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
    const problems = configProblems({
      ...live,
      PUBLIC_BASE_URL: 'http://pay.example.com',
      WXPAY_PUBLIC_KEY_FILE: '',
      WXPAY_APIV3_KEY: 'short',
    });
    expect(problems).toEqual([expect.stringMatching(/^WXPAY_APIV3_KEY: expected exactly 32 bytes/)]);
    const second = configProblems({
      ...live,
      PUBLIC_BASE_URL: 'http://pay.example.com',
      WXPAY_PUBLIC_KEY_FILE: '',
    });
    expect(second).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL: WeChat Pay only calls https/),
      expect.stringMatching(/^WXPAY_PUBLIC_KEY_ID: set together with WXPAY_PUBLIC_KEY_FILE/),
    ]);
  });

  it('stays live once WeChat credentials are configured and SANDBOX is unset', () => {
    const problems = configProblems({ WECHAT_APPID: 'wx0123456789abcdef' });
    expect(problems).toContainEqual(expect.stringMatching(/^WXPAY_MCHID: required/));
  });

  it('reads secrets from *_FILE paths and never echoes a secret in an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
    const secretFile = join(dir, 'hmac');
    writeFileSync(secretFile, `${'s'.repeat(40)}\n`);
    expect(loadConfig({ SANDBOX: '1', OPENID_HMAC_SECRET_FILE: secretFile }).OPENID_HMAC_SECRET).toBe(
      's'.repeat(40),
    );

    const problems = configProblems({ OPENID_HMAC_SECRET: 'too-short-secret' });
    expect(problems[0]).toMatch(/^OPENID_HMAC_SECRET: expected at least 32 characters/);
    expect(problems[0]).not.toContain('too-short-secret');

    expect(configProblems({ WXPAY_APIV3_KEY_FILE: join(dir, 'missing') })).toEqual([
      expect.stringMatching(/^WXPAY_APIV3_KEY_FILE: cannot read .*missing \(ENOENT\)/),
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SANDBOX: '1', PORT: '', REDIS_PREFIX: '' }).PORT).toBe(3000);
  });

  it('documents every setting in .env.example', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const undocumented = SETTING_NAMES.filter((name) => name !== 'NODE_ENV' && !documented.has(name));
    expect(undocumented).toEqual([]);
  });
});
