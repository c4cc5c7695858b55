/** Order-creation requests for bench/order-create.ts, and the checks every created order must pass. */
import type { CreateOrderResponse } from '@tokentill/shared-types';
import { buildPaySignMessage, verifySha256Rsa } from '../../server/src/payment';
import type { SandboxKeys } from '../../server/src/sandbox';
import type { BenchServer } from './bench-server';
import type { Checks } from './checks';
import type { LoadRun, RequestSpec } from './load';

export function orderRequests(tokens: readonly string[], count: number, tag: string): RequestSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    method: 'POST',
    path: '/api/orders',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
    body: JSON.stringify({ prompt: `用一句话解释什么是量子纠缠 (${tag} ${i})`, tier: 'basic' }),
  }));
}

/** Checks every 201 answer: a distinct order, stored CREATED with its prepay id, known to the emulator, paySign valid. */
export async function verifyOrders(
  server: BenchServer,
  run: LoadRun,
  keys: SandboxKeys,
  what: string,
  checks: Checks,
): Promise<number> {
  const bodies = run.result.bodies ?? [];
  const ids = new Set<string>();
  let bad = 0;
  const samples: string[] = [];
  for (let i = 0; i < run.result.sent; i += 200) {
    const batch = bodies.slice(i, Math.min(i + 200, run.result.sent));
    await Promise.all(
      batch.map(async (text, j) => {
        const problem = await (async () => {
          if (run.result.statuses[i + j] !== 201)
            return `status ${run.result.statuses[i + j]}: ${text.slice(0, 120)}`;
          const body = JSON.parse(text) as CreateOrderResponse;
          const params = body.payment.params;
          if (ids.has(body.orderId)) return `duplicate order id ${body.orderId}`;
          ids.add(body.orderId);
          const message = buildPaySignMessage(keys.appid, params.timeStamp, params.nonceStr, params.package);
          if (!verifySha256Rsa(message, params.paySign, keys.merchantPublicKey))
            return 'paySign does not verify';
          const record = await server.services.orderStore.get(body.orderId);
          if (record?.state !== 'CREATED' || `prepay_id=${record.prepayId}` !== params.package) {
            return `stored order ${record?.state}/${record?.prepayId}`;
          }
          if (server.sandbox?.wxpay.ledger.findOrder(body.orderId)?.prepayId !== record.prepayId) {
            return 'unknown to the WeChat Pay emulator';
          }
          return undefined;
        })();
        if (problem) {
          bad++;
          if (samples.length < 3) samples.push(problem);
        }
      }),
    );
  }
  checks.check(
    run.result.sent === bodies.length || run.result.sent <= bodies.length,
    `${what}: bodies missing`,
  );
  checks.check(
    bad === 0,
    `${what}: ${bad} of ${run.result.sent} orders failed checks (${samples.join('; ')})`,
  );
  checks.check(
    run.result.errors === 0,
    `${what}: ${run.result.errors} request errors (${run.result.errorSamples.join('; ')})`,
  );
  return ids.size;
}
