import { createHash, randomUUID } from 'node:crypto';
import { createRedis, closeRedis, type Redis } from '../../../server/src/redis';
import { DEFAULT_REDIS_URL } from '../../../scripts/lib/local-redis';
import type { ApiResponse } from '../../support/api-client';
import { useTwoInstances, type TwoInstances, type UpstreamCall } from './two-instances';

/**
 * POST /api/session makes one code2Session call to WeChat per attempt. A wx.login code is single-use at
 * WeChat, so across instances each code reaches WeChat once; and each client address has a login limit.
 * code2Session calls are counted as the instances send them.
 */

const isCode2SessionFor = (code: string) => (call: UpstreamCall) =>
  call.url.pathname.endsWith('/sns/jscode2session') && call.url.searchParams.get('js_code') === code;

const exchangesOf = (instances: TwoInstances, code: string) =>
  instances.calls.filter(isCode2SessionFor(code)).length;

/** Logs in with `code`, as a client behind the proxies that wrote `forwardedFor` (none when undefined). */
async function postSession(baseUrl: string, code: string, forwardedFor?: string): Promise<ApiResponse<any>> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ code }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const freshCode = () => `user-${randomUUID()}.${randomUUID()}`;

let redis: Redis;
beforeAll(() => {
  redis = createRedis(process.env['REDIS_URL'] || DEFAULT_REDIS_URL);
});
afterAll(async () => {
  await closeRedis(redis);
});

describe('behind one trusted proxy (TRUST_PROXY=1)', () => {
  const instances = useTwoInstances({ TRUST_PROXY: '1', LOGINS_PER_IP_PER_MINUTE: '5' });

  it('sends a code presented 10 times at once, on two instances, to WeChat once', async () => {
    const { a, b } = instances;
    const code = freshCode();
    // Each from its own address, so only the per-code rule is at play.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postSession(i % 2 ? b.url : a.url, code, `198.51.100.${i + 1}`)),
    );
    expect(exchangesOf(instances, code)).toBe(1);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = answers.filter((r) => r.status !== 200);
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(
      Array(9).fill([401, 'WECHAT_CODE_INVALID']),
    );
    expect(refused[0]!.body.error.message).toContain('call wx.login again');

    // Presented again later: the same answer WeChat gives for a used code, without asking WeChat.
    const later = await postSession(b.url, code, '198.51.100.99');
    expect([later.status, later.body.error.code]).toEqual([401, 'WECHAT_CODE_INVALID']);
    expect(exchangesOf(instances, code)).toBe(1);
  });

  it('limits logins per client address with 429 RATE_LIMITED and Retry-After, before asking WeChat', async () => {
    const { a, b } = instances;
    const codes = Array.from({ length: 11 }, freshCode);
    // 2 × limit + 1 attempts within a minute: whatever window boundary falls among them, one window is over.
    const answers: ApiResponse<any>[] = [];
    for (const [i, code] of codes.entries()) {
      answers.push(await postSession(i % 2 ? b.url : a.url, code, '203.0.113.7'));
    }
    const refused = codes.filter((_, i) => answers[i]!.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.map((code) => exchangesOf(instances, code))).toEqual(refused.map(() => 0));
    const first = answers.find((r) => r.status === 429)!;
    expect(first.body.error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('At most 5 logins from one address per minute'),
    });
    const retryAfter = Number(first.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);

    // Another address is not affected.
    expect((await postSession(a.url, freshCode(), '203.0.113.200')).status).toBe(200);
  });

  it('reads the address the proxy appended, not the entries a client forged in front of it', async () => {
    const { a } = instances;
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) {
      answers.push((await postSession(a.url, freshCode(), `10.${i}.0.1, 203.0.113.8`)).status);
    }
    expect(answers).toContain(429);
  });

  it('keeps codes and addresses out of Redis keys: only their hashes', async () => {
    const { a, keys } = instances;
    const code = freshCode();
    expect((await postSession(a.url, code, '192.0.2.55')).status).toBe(200);
    const all: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${keys.prefix}*`, 'COUNT', 500);
      all.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    expect(all.filter((key) => key.includes(code.split('.')[1]!) || key.includes('192.0.2.55'))).toEqual([]);
    const hash = createHash('sha256').update(code).digest('base64url');
    expect(all).toContain(keys.loginCode(hash));
  });
});

describe('with no trusted proxy (the default)', () => {
  const instances = useTwoInstances({ LOGINS_PER_IP_PER_MINUTE: '5' });

  it('ignores X-Forwarded-For, and does not count loopback peers (this host, e.g. a local proxy)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await postSession(instances.a.url, freshCode(), '203.0.113.9')).status);
    }
    expect(statuses).toEqual(Array(11).fill(200));
  });
});
