import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAnswerStreamStore, createStreamHub, createWsGateway } from '../../../server/src/delivery';
import type { StreamHub } from '../../../server/src/delivery';
import type { SocketPrincipal, WsGateway, WsGatewayOptions } from '../../../server/src/delivery';
import { createLogger } from '../../../server/src/observability/logger';
import { closeRedis, createRedis, type Redis } from '../../../server/src/redis';
import type { TestRedis } from '../../support/test-redis';

/** An ownership lookup the test answers when it chooses, to interleave concurrent subscribes at will. */
export interface HeldLookup {
  orderId: string;
  answer(owns: boolean): void;
  fail(error: Error): void;
}

export interface GatewayHarness {
  url: string;
  gateway: WsGateway;
  hub: StreamHub;
  /** Lookups still waiting for an answer, oldest first (with `holdLookups`). */
  held: HeldLookup[];
  /** Appends entries to an order's answer stream as the worker and state machine would (ids `0-<seq>`). */
  append(orderId: string, ...entries: ({ text: string } | { state: string })[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real gateway and stream hub over the test Redis, served on a local port, without the rest of the server:
 * tokens map to principals through `principals`; ownership lookups answer at once (owner = every principal) or,
 * with `holdLookups`, wait in `held` until the test answers them.
 */
export async function startGateway(
  testRedis: TestRedis,
  principals: Record<string, SocketPrincipal>,
  options: Partial<WsGatewayOptions> & { holdLookups?: boolean } = {},
): Promise<GatewayHarness> {
  const { redis, keys, url: redisUrl } = testRedis;
  const logger = createLogger({ level: 'silent' });
  const reader: Redis = createRedis(redisUrl, {
    connectionName: 'tokentill-test-stream-reader',
    overrides: { maxRetriesPerRequest: null, enableAutoPipelining: false },
  });
  const hub = createStreamHub({ reader, control: redis, keys, logger, blockMs: 200 });
  const held: HeldLookup[] = [];
  const gateway = createWsGateway({
    logger,
    hub,
    answers: createAnswerStreamStore(redis, keys),
    authenticate: async (token) => principals[token],
    ownsOrder: (_principal, orderId) =>
      options.holdLookups
        ? new Promise<boolean>((resolve, reject) => held.push({ orderId, answer: resolve, fail: reject }))
        : Promise.resolve(true),
    usageOf: async () => ({ promptTokens: 1, completionTokens: 2 }),
    ...options,
  });
  const server: Server = createServer();
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const lastSeq = new Map<string, number>();
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    hub,
    held,
    async append(orderId, ...entries) {
      for (const entry of entries) {
        const [k, v] = 'text' in entry ? ['t', entry.text] : ['s', entry.state];
        const seq = (lastSeq.get(orderId) ?? 0) + 1;
        lastSeq.set(orderId, seq);
        await redis.xadd(keys.orderStream(orderId), `0-${seq}`, 'k', k, 'v', v);
      }
    },
    async close() {
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.close();
      await closeRedis(reader);
    },
  };
}
