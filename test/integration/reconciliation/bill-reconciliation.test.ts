import { apiClient, createOrder, eventually, login, sandboxPay } from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { WxPayBillHashError, beijingDateOf } from '../../../server/src/payment/index';

/**
 * The ledger against WeChat Pay's own bills, over real HTTP to the sandbox's bill API, with real PostgreSQL and
 * Redis. The steps share one day's bill, so each run is judged by the differences it finds that no earlier run
 * had recorded (a run adds each difference once).
 */
const fixture = useTestServer();
const today = () => beijingDateOf(Date.now());

async function armBillFault(fault: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await apiClient(fixture.server.url).post<Record<string, unknown>>(
    '/sandbox/bill-faults',
    fault,
  );
  expect(res.status).toBe(200);
  return res.body;
}
const clearBillFaults = () => fetch(`${fixture.server.url}/sandbox/bill-faults`, { method: 'DELETE' });
const reconcile = () => fixture.server.services.billReconciler.reconcile(today());
const newKinds = async () => (await reconcile()).newDifferences.map((d) => [d.kind, d.reference]).sort();

async function storedDifferences(): Promise<{ kind: string; reference: string; healed: boolean }[]> {
  const result = await fixture.server.services.ledger.pool.query<{
    kind: string;
    reference: string;
    healed: boolean;
  }>('SELECT kind, reference, healed FROM bill_differences WHERE bill_date = $1 ORDER BY kind, reference', [
    today(),
  ]);
  return result.rows;
}

async function paidOrder(): Promise<string> {
  const token = await login(fixture.server.url);
  const { orderId } = await createOrder(fixture.server.url, token);
  await sandboxPay(fixture.server.url, orderId);
  await eventually(
    async () => (await fixture.server.services.ledger.findOrder(orderId))?.payment !== undefined,
    5_000,
    'the payment in the ledger',
  );
  return orderId;
}

let paid: string;
let unnotified: string;
let unknown: string;

it('finds no difference on a clean day, and a second run adds nothing', async () => {
  paid = await paidOrder();
  const run = await reconcile();
  expect(run).toMatchObject({ billDate: today(), payments: 1, refunds: 0, differences: 0, healed: 0 });
  expect(run.newDifferences).toEqual([]);
  expect((await reconcile()).newDifferences).toEqual([]);
  expect(await storedDifferences()).toEqual([]);
});

it('refuses a bill whose download fails its SHA1 hash, and records nothing', async () => {
  await armBillFault({ kind: 'corrupt_download' });
  await expect(reconcile()).rejects.toBeInstanceOf(WxPayBillHashError);
  expect(await storedDifferences()).toEqual([]);
  // The corruption was one download: the next run reads the bill again.
  expect((await reconcile()).newDifferences).toEqual([]);
});

it('credits a payment whose notification was lost (WeChat has it, the ledger does not)', async () => {
  const token = await login(fixture.server.url);
  ({ orderId: unnotified } = await createOrder(fixture.server.url, token));
  await apiClient(fixture.server.url).post('/sandbox/faults', { out_trade_no: unnotified, drop: true });
  await sandboxPay(fixture.server.url, unnotified);
  expect((await fixture.server.services.ledger.findOrder(unnotified))?.payment).toBeUndefined();

  const run = await reconcile();
  expect(run.newDifferences.map((d) => [d.kind, d.reference])).toEqual([
    ['payment_missing_in_ledger', unnotified],
  ]);
  expect(run.healed).toBe(1);
  expect((await fixture.server.services.orderStore.get(unnotified))?.state).toBe('PAID');
  expect((await fixture.server.services.ledger.findOrder(unnotified))?.payment).toMatchObject({
    via: 'query',
  });
  expect((await reconcile()).newDifferences).toEqual([]);
  expect(await storedDifferences()).toEqual([
    { kind: 'payment_missing_in_ledger', reference: unnotified, healed: true },
  ]);
});

it('re-creates and refunds a paid order we have no record of at all', async () => {
  const extra = await armBillFault({ kind: 'extra_payment', amount_fen: 990 });
  unknown = (extra['transaction'] as { out_trade_no: string }).out_trade_no;
  expect(await fixture.server.services.ledger.findOrder(unknown)).toBeUndefined();

  const run = await reconcile();
  expect(run.newDifferences.map((d) => [d.kind, d.reference])).toEqual([
    ['payment_missing_in_ledger', unknown],
  ]);
  expect(run.healed).toBe(1);
  const kept = await fixture.server.services.ledger.findOrder(unknown);
  expect(kept).toMatchObject({ ownerKey: 'orphan', payment: { amountFen: 990 } });
  expect(kept?.refund?.outRefundNo).toBe(`${unknown}-R1`);
  // The refund goes to WeChat Pay on the reconciler's next pass (the background work, not started here).
  await fixture.server.services.reconciler.runOnce();
  expect(fixture.server.sandbox!.wxpay.ledger.findRefund(`${unknown}-R1`)).toMatchObject({ refund: 990 });
  // The refund now in both the bill and the ledger is no difference.
  expect((await reconcile()).newDifferences).toEqual([]);
});

it('reports a payment missing from the bill, an amount difference and a refund only WeChat has', async () => {
  await armBillFault({ kind: 'omit_payment', out_trade_no: paid });
  await armBillFault({ kind: 'payment_amount', out_trade_no: unnotified, delta_fen: 1 });
  await armBillFault({ kind: 'extra_refund', out_trade_no: paid });
  expect(await newKinds()).toEqual([
    ['payment_amount_differs', unnotified],
    ['payment_missing_in_bill', paid],
    ['refund_missing_in_ledger', `${paid}-X1`],
  ]);
  // Nothing here is safe to repair by itself: left for an operator.
  expect(await newKinds()).toEqual([]);
});

it('reports a refund missing from the bill, and a refund amount difference', async () => {
  await clearBillFaults();
  await armBillFault({ kind: 'omit_refund', out_trade_no: unknown });
  expect(await newKinds()).toEqual([['refund_missing_in_bill', `${unknown}-R1`]]);
  await clearBillFaults();
  await armBillFault({ kind: 'refund_amount', out_trade_no: unknown, delta_fen: -1 });
  expect(await newKinds()).toEqual([['refund_amount_differs', `${unknown}-R1`]]);
});

it('keeps one row per difference however often the day is run', async () => {
  await reconcile();
  await reconcile();
  const rows = await storedDifferences();
  expect(rows.map((r) => r.kind).sort()).toEqual([
    'payment_amount_differs',
    'payment_missing_in_bill',
    'payment_missing_in_ledger',
    'payment_missing_in_ledger',
    'refund_amount_differs',
    'refund_missing_in_bill',
    'refund_missing_in_ledger',
  ]);
  const done = await fixture.server.services.ledger.pool.query(
    'SELECT payments, refunds FROM bill_reconciliations WHERE bill_date = $1',
    [today()],
  );
  expect(done.rows).toEqual([{ payments: 3, refunds: 1 }]);
});
