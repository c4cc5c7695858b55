/**
 * The parts of an order for bench/order-create.ts, priced in-process in the same run: the WeChat Pay call, the
 * emulator's own share of it, paySign, and for scale a fetch to a bare Koa app.
 */
import type { SandboxKeys } from '../../server/src/sandbox';
import { newOrderId } from '../../server/src/orders/order-id';
import { openidForIdentity } from '../../server/src/sandbox';
import {
  buildRequestPaymentParams,
  createRequestSigner,
  formatRfc3339Beijing,
} from '../../server/src/payment';
import { startBareKoa } from './bare-koa';
import type { BenchServer } from './bench-server';
import type { Checks } from './checks';
import { costOfRun, price, type Cost } from './cost';
import { runLoad, type RequestSpec } from './load';

export interface Decomposition {
  /** The WeChat Pay emulator's own share of a createJsapiOrder (server side only), driven over HTTP. */
  emulatorSide: Cost;
  fetchBareKoa: Cost;
  createJsapiOrder: Cost;
  paymentParams: Cost;
}

/** Pre-signed JSAPI order requests straight to the emulator, as the merchant client would send them. */
function emulatorRequests(keys: SandboxKeys, notifyUrl: string, openid: string, count: number) {
  const signer = createRequestSigner({
    mchid: keys.mchid,
    merchantSerial: keys.merchantSerial,
    merchantPrivateKey: keys.merchantPrivateKey,
  });
  const path = '/sandbox/wxpay/v3/pay/transactions/jsapi';
  return Promise.all(
    Array.from({ length: count }, async (): Promise<RequestSpec> => {
      const body = JSON.stringify({
        appid: keys.appid,
        mchid: keys.mchid,
        description: 'AI 问答 - bench',
        out_trade_no: newOrderId(),
        time_expire: formatRfc3339Beijing(new Date(Date.now() + 900_000)),
        notify_url: notifyUrl,
        amount: { total: 10, currency: 'CNY' },
        payer: { openid },
      });
      const signed = await signer.sign('POST', path, body);
      return {
        method: 'POST' as const,
        path,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': 'TokenTill-WxPay/1 (bench)',
          authorization: signed.authorization,
          'wechatpay-serial': keys.publicKeyId,
        },
        body,
      };
    }),
  );
}

/** Prices the parts of an order in-process (same run): the WeChat Pay call, paySign, and fetch itself. */
export async function decompose(
  server: BenchServer,
  keys: SandboxKeys,
  concurrency: number,
  checks: Checks,
): Promise<Decomposition> {
  const bare = await startBareKoa();
  try {
    let bad = 0;
    const fetchBareKoa = await price(3_000, concurrency, async () => {
      const res = await fetch(`${bare.url}/`);
      await res.arrayBuffer();
      if (res.status !== 200) bad++;
    });
    const openid = openidForIdentity(keys.identitySecret, keys.appid, 'bench-direct');
    const notifyUrl = `${server.url}/api/pay/wxpay/notify`;
    const prepayIds: string[] = [];
    const createJsapiOrder = await price(1_000, concurrency, async () => {
      const { prepayId } = await server.services.wxpay.createJsapiOrder({
        description: 'AI 问答 - bench',
        outTradeNo: newOrderId(),
        notifyUrl,
        amountFen: 10,
        payerOpenid: openid,
        timeExpire: new Date(Date.now() + 900_000),
      });
      prepayIds.push(prepayId);
    });
    const paymentParams = await price(1_000, concurrency, async (i) => {
      const params = await buildRequestPaymentParams({
        appid: keys.appid,
        prepayId: prepayIds[i % prepayIds.length] ?? 'wx0',
        merchantPrivateKey: keys.merchantPrivateKey,
      });
      if (!params.paySign) bad++;
    });
    // The emulator's side alone: pre-signed JSAPI order requests sent by the load generator.
    const requests = await emulatorRequests(keys, notifyUrl, openid, 1_000);
    const emulator = await runLoad(
      {
        baseUrl: server.url,
        requests,
        count: requests.length,
        mode: { kind: 'closed', concurrency },
        maxMs: 20_000,
      },
      server.admin,
    );
    checks.check(
      emulator.statusCounts['200'] === requests.length,
      `emulator JSAPI orders: expected ${requests.length} × 200, got ${JSON.stringify(emulator.statusCounts)}`,
    );
    const emulatorSide = costOfRun(emulator);
    checks.check(bad === 0, `decomposition: ${bad} calls failed`);
    checks.check(
      prepayIds.length === 1_000,
      `decomposition: ${prepayIds.length} of 1000 direct WeChat Pay orders placed`,
    );
    return { emulatorSide, fetchBareKoa, createJsapiOrder, paymentParams };
  } finally {
    await bare.close();
  }
}
