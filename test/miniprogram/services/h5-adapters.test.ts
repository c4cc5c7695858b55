import { loginCode } from '../../../miniprogram/src/services/login.h5';
import { SANDBOX_IDENTITY_KEY } from '../../../miniprogram/src/services/sandbox-identity';
import { requestGrant } from '../../../miniprogram/src/services/subscribe.h5';
import { storage } from '../mocks/taro';
import { mockApi } from '../support/api';

describe('H5 sandbox adapters', () => {
  beforeEach(() => storage.clear());

  it('makes fresh login codes "<identity>.<nonce>" for one identity kept in storage', async () => {
    const first = await loginCode();
    const second = await loginCode();

    const [identity, nonce] = first.split('.');
    expect(identity).toMatch(/^h5-[0-9a-f]{16}$/);
    expect(nonce).toBeTruthy();
    expect(second.split('.')[0]).toBe(identity);
    expect(second).not.toBe(first);
    expect(storage.get(SANDBOX_IDENTITY_KEY)).toBe(identity);
    expect(first.length).toBeLessThanOrEqual(128);
  });

  it('keeps a stored identity (the same sandbox user after a reload)', async () => {
    storage.set(SANDBOX_IDENTITY_KEY, 'h5-returning-user');
    expect((await loginCode()).startsWith('h5-returning-user.')).toBe(true);
  });

  it('records a subscribe-message grant for this browser’s sandbox user', async () => {
    storage.set(SANDBOX_IDENTITY_KEY, 'h5-grant-user');
    const calls = mockApi({ 'POST /sandbox/wechat/subscribe-grants': { status: 200, body: { grants: [] } } });

    await expect(requestGrant('TPL_ANSWER_READY')).resolves.toBe(true);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.data).toEqual({ identity: 'h5-grant-user', template_id: 'TPL_ANSWER_READY', count: 1 });
    expect(calls[0]?.header['authorization']).toBeUndefined();
  });

  it('resolves false (never throws) when the grant cannot be recorded', async () => {
    mockApi({ 'POST /sandbox/wechat/subscribe-grants': { status: 500, body: 'oops' } });
    await expect(requestGrant('TPL')).resolves.toBe(false);
  });
});
