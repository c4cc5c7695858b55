import { createSessionService } from '../../../server/src/sessions/session-service';
import type { SessionStore } from '../../../server/src/sessions/session-store';
import type { LoginGuard } from '../../../server/src/sessions/login-guard';
import { createOpenidVault } from '../../../server/src/identity/openid-vault';
import { WeChatApiError, WeChatTransportError, type WeChatApiClient } from '../../../server/src/wechat';
import { type AppError } from '../../../server/src/errors';

function serviceFailingWith(err: Error) {
  const wechat: WeChatApiClient = {
    code2Session: async () => {
      throw err;
    },
    stableToken: async () => ({ accessToken: 't', expiresAt: 0 }),
    sendSubscribeMessage: async () => undefined,
  };
  const store: SessionStore = {
    create: async () => 'token',
    get: async () => undefined,
    revoke: async () => undefined,
    isLive: async () => false,
  };
  // Lets every attempt through: the guard's limits are tested over HTTP (test/integration/limits/login-limits.test.ts).
  const guard: LoginGuard = { exchangeOnce: (_code, _ip, call) => call() };
  return createSessionService({
    wechat,
    vault: createOpenidVault('s'.repeat(32)),
    store,
    guard,
    ttlSeconds: 60,
  });
}

async function codeOf(err: Error): Promise<[string, number, Record<string, string> | undefined]> {
  try {
    await serviceFailingWith(err).login('code', '203.0.113.7');
  } catch (thrown) {
    const app = thrown as AppError;
    return [app.code, app.status, app.headers];
  }
  throw new Error('expected login to fail');
}

describe('login errors from code2Session', () => {
  it.each([
    [40029, 'WECHAT_CODE_INVALID', 401],
    [40163, 'WECHAT_CODE_INVALID', 401],
    [40226, 'FORBIDDEN', 403],
    [45011, 'RATE_LIMITED', 429],
    [-1, 'UPSTREAM_UNAVAILABLE', 503],
    [40125, 'UPSTREAM_ERROR', 502],
  ])('maps errcode %i to %s (%i)', async (errcode, code, status) => {
    const [got, gotStatus, headers] = await codeOf(new WeChatApiError(errcode, 'x', 'code2Session'));
    expect([got, gotStatus]).toEqual([code, status]);
    if (code === 'RATE_LIMITED') expect(headers).toEqual({ 'Retry-After': '60' });
  });

  it('answers 503 when WeChat cannot be reached', async () => {
    expect((await codeOf(new WeChatTransportError('down', 'code2Session')))[0]).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('openid vault', () => {
  it('seals and opens an openid, keys users stably, and refuses a tampered seal', () => {
    const vault = createOpenidVault('s'.repeat(32));
    const sealed = vault.seal('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(sealed).not.toContain('oUpF8uMuAJO');
    expect(vault.open(sealed)).toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(vault.userKey('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o')).toBe(vault.userKey('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'));
    expect(vault.userKey('a')).not.toBe(vault.userKey('b'));
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => vault.open(tampered)).toThrow();
    expect(() => createOpenidVault('t'.repeat(32)).open(sealed)).toThrow();
  });
});
