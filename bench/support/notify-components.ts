/**
 * Where a WeChat Pay callback's time goes, for bench/notify-ack.ts, measured in-process in the same run (not over
 * HTTP): openNotification, the RSA verification inside it, one request log line, and applyTransaction.
 */
import pino from 'pino';
import { createLogger } from '../../server/src/observability/logger';
import { openNotification, verifySha256Rsa, type Transaction } from '../../server/src/payment';
import type { SandboxKeys } from '../../server/src/sandbox';
import type { BenchServer } from './bench-server';
import type { Checks } from './checks';
import { cpuNowUs, price } from './cost';
import type { RequestSpec } from './load';
import { transactionNotifications, type PaidOrder } from './wxpay-notify';

export interface Components {
  openUs: number;
  openOps: number;
  verifyUs: number;
  logLineUs: number;
  applyLoopUs: number;
  applyCpuUs: number;
  applyRps: number;
  transactionOf: Map<string, string>;
}

export async function measureComponents(
  server: BenchServer,
  keys: SandboxKeys,
  notes: readonly RequestSpec[],
  directOrders: readonly PaidOrder[],
  options: { payerOpenid: string; concurrency: number; checks: Checks },
): Promise<Components> {
  const { checks } = options;
  const verifier = server.services.merchant.verifier;
  const apiV3Key = keys.apiV3Key;
  const sample = notes
    .slice(0, 500)
    .map((n) => ({ headers: n.headers ?? {}, raw: Buffer.from(n.body ?? '') }));
  const rounds = 4;
  // openNotification: exactly what the route calls, on genuine notifications.
  // Sync loops are timed in CPU time (process.cpuUsage), which other processes on the machine do not inflate;
  // they keep this process's other threads idle.
  let t = cpuNowUs();
  for (let r = 0; r < rounds; r++)
    for (const n of sample) openNotification(n.headers, n.raw, { verifier, apiV3Key });
  const openOps = rounds * sample.length;
  const openUs = (cpuNowUs() - t) / openOps;
  // The RSA verification inside it, alone.
  const messages = sample.map((n) => ({
    message: Buffer.concat([
      Buffer.from(`${n.headers['wechatpay-timestamp']}\n${n.headers['wechatpay-nonce']}\n`),
      n.raw,
      Buffer.from('\n'),
    ]),
    signature: n.headers['wechatpay-signature'] ?? '',
  }));
  t = cpuNowUs();
  let verified = 0;
  for (let r = 0; r < rounds; r++) {
    for (const m of messages)
      if (verifySha256Rsa(m.message, m.signature, keys.wechatpayPublicKey)) verified++;
  }
  const verifyUs = (cpuNowUs() - t) / openOps;
  checks.check(
    verified === openOps,
    `RSA verify micro-benchmark: ${openOps - verified} signatures did not verify`,
  );
  // One log line like the request log, through a logger configured like the server's (redaction included).
  const logger = createLogger({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const lines = 5_000;
  t = cpuNowUs();
  for (let i = 0; i < lines; i++) {
    logger.info(
      {
        requestId: 'f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f',
        method: 'POST',
        path: '/api/pay/wxpay/notify',
        status: 204,
        ms: 1.2,
      },
      'request',
    );
  }
  const logLineUs = (cpuNowUs() - t) / lines;
  // applyTransaction alone (what the route does after openNotification), at the benchmark's concurrency.
  const directNotes = await transactionNotifications(keys, directOrders, options.payerOpenid);
  const txs = directNotes.map(
    (n) =>
      openNotification(n.headers ?? {}, Buffer.from(n.body ?? ''), { verifier, apiV3Key })
        .resource as Transaction,
  );
  const transactionOf = new Map(directOrders.map((o, i) => [o.id, directNotes[i]?.transactionId ?? '']));
  let notPaid = 0;
  const apply = await price(txs.length, options.concurrency, async (i) => {
    const tx = txs[i] as Transaction;
    if ((await server.services.payments.applyTransaction(tx, 'notify')) !== 'paid') notPaid++;
  });
  checks.check(notPaid === 0, `applyTransaction: ${notPaid} of ${txs.length} direct credits were not 'paid'`);
  return {
    openUs,
    openOps,
    verifyUs,
    logLineUs,
    applyLoopUs: apply.loopUs,
    applyCpuUs: apply.cpuUs,
    applyRps: apply.perSec,
    transactionOf,
  };
}
