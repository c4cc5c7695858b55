import { closeRedis, createRedis, createRedisKeys, type RedisKeys } from '../../../server/src/redis';
import { WECHAT_SANDBOX_PREFIX, WXPAY_SANDBOX_PREFIX } from '../../../server/src/sandbox';
import { DEFAULT_REDIS_URL } from '../../../scripts/lib/local-redis';
import { deletePrefix } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';

/** One request the instances sent upstream (to WeChat Pay or the WeChat API), as their fetch saw it. */
export interface UpstreamCall {
  method: string;
  url: URL;
}

export interface TwoInstances {
  readonly a: TestServer;
  readonly b: TestServer;
  /** Redis keys of the deployment both instances share. */
  readonly keys: RedisKeys;
  /** Every upstream call either instance made, in order. */
  readonly calls: UpstreamCall[];
}

/**
 * Two API instances of one deployment, as behind a load balancer: the same Redis prefix and the same WeChat
 * (the sandbox of instance `a`, which both reach over HTTP with the same merchant keys). Their upstream calls
 * are recorded; `beforeCall` may hold one back. Started before the enclosing block's tests, stopped after.
 */
export function useTwoInstances(
  env: NodeJS.ProcessEnv,
  beforeCall?: (call: UpstreamCall) => Promise<void>,
): TwoInstances {
  const calls: UpstreamCall[] = [];
  const recording: typeof fetch = async (input, init) => {
    const call = { method: init?.method ?? 'GET', url: new URL(String(input)) };
    calls.push(call);
    await beforeCall?.(call);
    return fetch(input, init);
  };
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  beforeAll(async () => {
    a = await startTestServer(env, { fetch: recording });
    b = await startTestServer(
      {
        ...env,
        REDIS_PREFIX: a.prefix,
        WXPAY_API_BASE: `${a.url}${WXPAY_SANDBOX_PREFIX}`,
        WECHAT_API_BASE: `${a.url}${WECHAT_SANDBOX_PREFIX}`,
      },
      { fetch: recording },
    );
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (a) {
      const redis = createRedis(process.env['REDIS_URL'] || DEFAULT_REDIS_URL);
      await deletePrefix(redis, a.prefix);
      await closeRedis(redis);
    }
  });
  return {
    get a() {
      if (!a) throw new Error('the instances start in beforeAll');
      return a;
    },
    get b() {
      if (!b) throw new Error('the instances start in beforeAll');
      return b;
    },
    get keys() {
      return createRedisKeys(this.a.prefix);
    },
    calls,
  };
}
