import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/src/config';

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
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      WXPAY_API_BASE: 'https://api.mch.weixin.qq.com',
    });
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

  it('refuses a plain-http public URL for live payments', () => {
    const problems = problemsOf({
      SANDBOX: '0',
      WECHAT_APPID: 'wx0123456789abcdef',
      WECHAT_APPSECRET: 'secret',
      WXPAY_MCHID: '1900000109',
      OPENID_HMAC_SECRET: 'x'.repeat(32),
      PUBLIC_BASE_URL: 'http://pay.example.com',
    });
    expect(problems).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL: WeChat Pay only calls https/)]);
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
});
