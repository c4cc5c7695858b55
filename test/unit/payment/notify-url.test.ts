import { assertNotifyUrl, checkNotifyUrl } from '../../../server/src/payment/index.js';

describe('notify_url validation at boot', () => {
  test('accepts a public https URL without query or fragment', () => {
    expect(checkNotifyUrl('https://pay.example.com/api/pay/wxpay/notify')).toEqual({
      ok: true,
      url: 'https://pay.example.com/api/pay/wxpay/notify',
    });
  });

  test.each([
    ['not-a-url', 'invalid_url'],
    ['http://pay.example.com/notify', 'https'],
    ['ftp://pay.example.com/notify', 'https'],
    ['https://pay.example.com/notify?order=1', 'no_query'],
    ['https://pay.example.com/notify?', 'no_query'],
    ['https://pay.example.com/notify#x', 'no_fragment'],
    [`https://pay.example.com/${'a'.repeat(240)}`, 'max_length'],
    ['https://user:pw@pay.example.com/notify', 'no_credentials'],
    ['https://localhost/notify', 'public_host'],
    ['https://api.localhost/notify', 'public_host'],
    ['https://127.0.0.1/notify', 'public_host'],
    ['https://10.0.0.8:8443/notify', 'public_host'],
    ['https://[::1]/notify', 'public_host'],
  ])('rejects %s for breaking the %s rule, and names it', (url, rule) => {
    const check = checkNotifyUrl(url);
    expect(check).toMatchObject({ ok: false, rule });
    expect(() => assertNotifyUrl(url)).toThrow(`(rule: ${rule})`);
  });

  test('allows http and local hosts only in sandbox mode (allowInsecureLocal)', () => {
    const local = 'http://127.0.0.1:3000/api/pay/wxpay/notify';
    expect(checkNotifyUrl(local).ok).toBe(false);
    expect(checkNotifyUrl(local, { allowInsecureLocal: true })).toEqual({ ok: true, url: local });
    expect(checkNotifyUrl('http://localhost:3000/n', { allowInsecureLocal: true }).ok).toBe(true);
    // The other rules still apply in sandbox mode.
    expect(checkNotifyUrl('http://localhost:3000/n?x=1', { allowInsecureLocal: true })).toMatchObject({
      rule: 'no_query',
    });
  });

  test('accepts exactly 255 characters', () => {
    const base = 'https://pay.example.com/';
    expect(checkNotifyUrl(base + 'a'.repeat(255 - base.length)).ok).toBe(true);
    expect(checkNotifyUrl(base + 'a'.repeat(256 - base.length)).ok).toBe(false);
  });
});
