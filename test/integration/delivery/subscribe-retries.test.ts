import { createOrder, login, sandboxPay, waitForOrder } from '../../support/api-client';
import { deletePrefix } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';
import { closeRedis, createRedis, type Redis } from '../../../server/src/redis';

/**
 * The subscribe-message notifier keeps its own count of tries: the payment checks that came before (which count
 * in `checkAttempts`) must not use up its retries.
 */
let server: TestServer;
let redis: Redis;
let sendCalls = 0;

beforeAll(async () => {
  server = await startTestServer(
    {},
    {
      fetch: async (input, init) => {
        if (String(input).includes('/cgi-bin/message/subscribe/send')) {
          sendCalls++;
          throw new TypeError('fetch failed'); // WeChat unreachable
        }
        return fetch(input, init);
      },
    },
  );
  redis = createRedis(server.config.REDIS_URL);
});
afterAll(async () => {
  await server.close();
  await deletePrefix(redis, server.prefix);
  await closeRedis(redis);
});

it('retries a failed send even when the order needed many payment checks first', async () => {
  const token = await login(server.url);
  const { orderId } = await createOrder(server.url, token);
  await sandboxPay(server.url, orderId);
  await waitForOrder(server.url, token, orderId, (o) => o.state === 'PAID');
  const store = server.services.orderStore;
  await store.startGeneration(orderId, 3);
  await store.transition(orderId, 'complete', { attempt: 1 });
  // Five payment checks before the payment was seen: one short of the notifier's own limit of six tries.
  await store.setFields(orderId, { checkAttempts: 5 });

  await server.services.notifier.process(orderId);
  expect(sendCalls).toBe(1);
  const order = await store.get(orderId);
  expect(order?.notifyOutcome).toBeUndefined(); // not given up
  expect(order?.notifyAttempts).toBe(1);
  expect(await redis.zscore(`${server.prefix}schedule:notify-checks`, orderId)).not.toBeNull();
});
