import { Client } from 'pg';
import type { DeliveryRecord } from '../../../server/src/sandbox';
import {
  apiClient,
  createOrder,
  eventually,
  login,
  sandboxPay,
  waitForOrder,
} from '../../support/api-client';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { testDatabaseUrl } from '../../support/test-postgres';
import { useTestServer } from '../../support/test-server';
import { jobsFor } from '../../support/queue-jobs';

/**
 * "Durable before acknowledged": WeChat Pay hears 204 only once the payment is committed in PostgreSQL. The
 * server reaches PostgreSQL through a TCP proxy the test can cut, so an outage is real: connections dropped,
 * new ones refused. No background work runs: a paid order stays PAID with its one job queued.
 */
let proxy: TcpProxy;
const target = new URL(testDatabaseUrl());
const throughProxy = () => {
  const url = new URL(testDatabaseUrl());
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
};

beforeAll(async () => {
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  await proxy.close();
});

const fixture = useTestServer({
  get DATABASE_URL() {
    return throughProxy();
  },
});

/** Reads the ledger directly (not through the proxy). */
async function ledgerRows(sql: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${fixture.server.config.DATABASE_SCHEMA}"`);
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function deliveries(outTradeNo: string): Promise<DeliveryRecord[]> {
  const res = await apiClient(fixture.server.url).get(`/sandbox/deliveries?out_trade_no=${outTradeNo}`);
  return (res.body.deliveries ?? res.body) as DeliveryRecord[];
}

afterEach(() => proxy.up());

it('records the order in the ledger when it is created, with the owner key and never the openid', async () => {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token, { prompt: '账本里的订单' });
  const order = await fixture.server.services.orderStore.get(orderId);
  const found = await fixture.server.services.ledger.findOrder(orderId);
  expect(found).toMatchObject({
    id: orderId,
    ownerKey: order!.userKey,
    state: 'CREATED',
    priceFen: order!.priceFen,
    prompt: '账本里的订单',
    payment: undefined,
  });
});

it('refuses to create an order it cannot record, and charges nothing', async () => {
  const token = await login(fixture.server.url);
  proxy.down();
  const res = await apiClient(fixture.server.url, token).post('/api/orders', {
    prompt: '数据库不在',
    tier: 'basic',
  });
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('PAYMENT_UNAVAILABLE');
  expect(res.body.error.message).toMatch(/nothing was charged/);
  proxy.up();
  // The unpaid slot it had reserved is free again: the user can order at once.
  await createOrder(fixture.server.url, token);
});

it('answers 5xx while PostgreSQL is unreachable, credits nothing, and credits once when it is back', async () => {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token);
  proxy.down();
  await sandboxPay(fixture.server.url, orderId);

  // WeChat Pay keeps retrying; every attempt so far was refused with a 5xx.
  let refused: DeliveryRecord | undefined;
  await eventually(
    async () => {
      [refused] = await deliveries(orderId);
      const answered = (refused?.attempts ?? []).filter((a) => a.status !== undefined);
      return answered.length >= 2;
    },
    10_000,
    'two refused notification attempts',
  );
  const answered = refused!.attempts.filter((a) => a.status !== undefined);
  expect(answered.every((a) => a.status! >= 500 && !a.ok)).toBe(true);
  expect((await fixture.server.services.orderStore.get(orderId))?.state).toBe('CREATED');
  expect(await jobsFor(fixture.server.services, orderId)).toBe(0);
  expect(await ledgerRows('SELECT 1 FROM payments WHERE order_id = $1', [orderId])).toEqual([]);

  proxy.up();
  await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'PAID', 30_000);
  await eventually(async () => (await deliveries(orderId))[0]?.state === 'delivered', 10_000, 'delivered');

  const payments = await ledgerRows('SELECT transaction_id, learned_via FROM payments WHERE order_id = $1', [
    orderId,
  ]);
  expect(payments).toEqual([
    {
      transaction_id: (await fixture.server.services.orderStore.get(orderId))?.transactionId,
      learned_via: 'notify',
    },
  ]);
  const journal = await ledgerRows('SELECT seq, to_state, source FROM order_journal WHERE order_id = $1', [
    orderId,
  ]);
  expect(journal).toEqual([{ seq: 1, to_state: 'PAID', source: 'notify' }]);
  expect(await jobsFor(fixture.server.services, orderId)).toBe(1);
}, 60_000);
