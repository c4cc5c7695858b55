/**
 * Benchmark: order creation, POST /api/orders with a session, against the RSA-2048 signing rate measured in the
 * same run, to judge DESIGN §6 "order creation bound by RSA signing (two signatures per order), not by the code
 * around it".
 *
 * The real server runs in this process in sandbox mode, so each order also crosses real HTTP to the embedded
 * WeChat Pay emulator in the same process, which verifies the merchant's signature and signs its answer like
 * WeChat Pay does. Per order the process therefore performs (counted in the run by wrapping node:crypto):
 *   signatures: the merchant's request Authorization, the emulator's response signature, paySign;
 *   verifications: the emulator checking the Authorization, the client checking the response signature.
 * In production only two signatures (Authorization, paySign) and one verification are ours; the emulator's share
 * is WeChat's. The RSA rates are measured with node:crypto (sync) and the async variant the code uses
 * (signSha256RsaAsync, libuv's thread pool).
 *
 *   node --conditions=@tokentill/source --import tsx bench/order-create.ts
 *
 * Knobs (env): ORDER_COUNT (3000), ORDER_CONCURRENCY (32), ORDER_USERS (64), BENCH_LOG_LEVEL (info → /dev/null),
 * BENCH_CPU_PROFILE=<dir> (CPU profile of the measured phase; profiling slows it, so such a run's figures don't count).
 * Per-user limits (ORDERS_PER_MINUTE, MAX_UNPAID_ORDERS) are raised for the run so they never refuse an order.
 * Exits 1 when a correctness check fails; slow figures are reported, never fatal.
 */
import crypto, { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Koa from 'koa';
import type { CreateOrderResponse } from '@tokentill/shared-types';
import {
  buildPaySignMessage,
  buildRequestPaymentParams,
  createRequestSigner,
  formatRfc3339Beijing,
  signSha256Rsa,
  signSha256RsaAsync,
  verifySha256Rsa,
} from '../server/src/payment';
import { newOrderId } from '../server/src/orders/order-id';
import { loadOrCreateSandboxKeys, openidForIdentity } from '../server/src/sandbox';
import { BENCH_LOG_LEVEL, startBenchServer, type BenchServer } from './support/bench-server';
import { runLoad, type LoadRun, type RequestSpec } from './support/load';
import { startProfile } from './support/profile';
import { fmt, printTable, rounded } from './support/stats';

const COUNT = Number(process.env['ORDER_COUNT'] ?? 3_000);
const CONCURRENCY = Number(process.env['ORDER_CONCURRENCY'] ?? 32);
const USERS = Number(process.env['ORDER_USERS'] ?? 64);
const WARMUP = 300;
const COUNTED = 100;

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

function cpuNowUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

interface RsaRates {
  /** One thread, crypto.sign: signatures per second of CPU, and µs each. */
  syncSignPerSec: number;
  syncSignUs: number;
  /** signSha256RsaAsync with 64 in flight (thread pool, all cores): signatures per wall second. */
  asyncSignPerSec: number;
  verifyPerSec: number;
  verifyUs: number;
}

/** RSA-2048 SHA256withRSA rates with the merchant key, on a message the size of a request's signing string. */
async function measureRsa(key: crypto.KeyObject, publicKey: crypto.KeyObject): Promise<RsaRates> {
  const message = `POST\n/v3/pay/transactions/jsapi\n${Math.floor(Date.now() / 1000)}\n${randomUUID()}\n${'x'.repeat(420)}\n`;
  // Sync: bounded by count and by 1.5 s.
  let n = 0;
  let t0 = performance.now();
  let c0 = cpuNowUs();
  let signature = '';
  while (n < 3_000 && performance.now() - t0 < 1_500) {
    signature = signSha256Rsa(message, key);
    n++;
  }
  const syncSignUs = (cpuNowUs() - c0) / n;
  // Async, 64 in flight: what the server's code path can get out of the whole machine.
  let started = 0;
  let done = 0;
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (started < 6_000 && performance.now() - t0 < 2_500) {
        started++;
        await signSha256RsaAsync(message, key);
        done++;
      }
    }),
  );
  const asyncSignPerSec = done / ((performance.now() - t0) / 1000);
  // Verify, sync.
  n = 0;
  t0 = performance.now();
  c0 = cpuNowUs();
  let ok = 0;
  while (n < 30_000 && performance.now() - t0 < 1_000) {
    if (verifySha256Rsa(message, signature, publicKey)) ok++;
    n++;
  }
  const verifyUs = (cpuNowUs() - c0) / n;
  check(ok === n, `RSA micro-benchmark: ${n - ok} of ${n} signatures did not verify`);
  return {
    syncSignPerSec: 1e6 / syncSignUs,
    syncSignUs,
    asyncSignPerSec,
    verifyPerSec: 1e6 / verifyUs,
    verifyUs,
  };
}

/** Counts node:crypto sign/verify calls (sync and callback forms) while `fn` runs. */
async function countRsa<T>(fn: () => Promise<T>): Promise<{ signs: number; verifies: number; value: T }> {
  const mutable = crypto as unknown as Record<'sign' | 'verify', (...args: unknown[]) => unknown>;
  const { sign, verify } = mutable;
  let signs = 0;
  let verifies = 0;
  mutable.sign = (...args: unknown[]) => {
    signs++;
    return sign(...args);
  };
  mutable.verify = (...args: unknown[]) => {
    verifies++;
    return verify(...args);
  };
  try {
    const value = await fn();
    return { signs, verifies, value };
  } finally {
    mutable.sign = sign;
    mutable.verify = verify;
  }
}

async function login(server: BenchServer, identity: string): Promise<string> {
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `${identity}.${randomUUID()}` }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 200 || !body.token)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

function orderRequests(tokens: readonly string[], count: number, tag: string): RequestSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    method: 'POST',
    path: '/api/orders',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
    body: JSON.stringify({ prompt: `用一句话解释什么是量子纠缠 (${tag} ${i})`, tier: 'basic' }),
  }));
}

/** Checks every 201 answer: a distinct order, stored CREATED with its prepay id, known to the emulator, paySign valid. */
async function verifyOrders(
  server: BenchServer,
  run: LoadRun,
  keys: Awaited<ReturnType<typeof loadOrCreateSandboxKeys>>,
  what: string,
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
  check(run.result.sent === bodies.length || run.result.sent <= bodies.length, `${what}: bodies missing`);
  check(bad === 0, `${what}: ${bad} of ${run.result.sent} orders failed checks (${samples.join('; ')})`);
  check(
    run.result.errors === 0,
    `${what}: ${run.result.errors} request errors (${run.result.errorSamples.join('; ')})`,
  );
  return ids.size;
}

interface Cost {
  /** Event-loop busy time per call (ELU ÷ calls/s), µs. */
  loopUs: number;
  /** Process CPU per call (all threads: the RSA thread pool included), µs. */
  cpuUs: number;
  perSec: number;
}

/** Runs `count` calls of `fn` with `concurrency` in flight, in this process, and prices one call. */
async function price(count: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<Cost> {
  let next = 0;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = cpuNowUs();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const perSec = count / seconds;
  return { loopUs: (elu * 1e6) / perSec, cpuUs: (cpuNowUs() - cpu0) / count, perSec };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

interface Decomposition {
  /** The WeChat Pay emulator's own share of a createJsapiOrder (server side only), driven over HTTP. */
  emulatorSide: Cost;
  fetchBareKoa: Cost;
  createJsapiOrder: Cost;
  paymentParams: Cost;
}

/** Prices the parts of an order in-process (same run): the WeChat Pay call, paySign, and fetch itself. */
async function decompose(
  server: BenchServer,
  keys: Awaited<ReturnType<typeof loadOrCreateSandboxKeys>>,
): Promise<Decomposition> {
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.body = { status: 'ok' };
  });
  const bareServer = createServer(bare.callback());
  const port = await listen(bareServer);
  try {
    let bad = 0;
    const fetchBareKoa = await price(3_000, CONCURRENCY, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.arrayBuffer();
      if (res.status !== 200) bad++;
    });
    const openid = openidForIdentity(keys.identitySecret, keys.appid, 'bench-direct');
    const notifyUrl = `${server.url}/api/pay/wxpay/notify`;
    const prepayIds: string[] = [];
    const createJsapiOrder = await price(1_000, CONCURRENCY, async () => {
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
    const paymentParams = await price(1_000, CONCURRENCY, async (i) => {
      const params = await buildRequestPaymentParams({
        appid: keys.appid,
        prepayId: prepayIds[i % prepayIds.length] ?? 'wx0',
        merchantPrivateKey: keys.merchantPrivateKey,
      });
      if (!params.paySign) bad++;
    });
    // The emulator's side alone: pre-signed JSAPI order requests sent by the load generator.
    const signer = createRequestSigner({
      mchid: keys.mchid,
      merchantSerial: keys.merchantSerial,
      merchantPrivateKey: keys.merchantPrivateKey,
    });
    const path = '/sandbox/wxpay/v3/pay/transactions/jsapi';
    const requests: RequestSpec[] = await Promise.all(
      Array.from({ length: 1_000 }, async () => {
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
    const emulator = await runLoad(
      {
        baseUrl: server.url,
        requests,
        count: requests.length,
        mode: { kind: 'closed', concurrency: CONCURRENCY },
        maxMs: 20_000,
      },
      server.admin,
    );
    check(
      emulator.statusCounts['200'] === requests.length,
      `emulator JSAPI orders: expected ${requests.length} × 200, got ${JSON.stringify(emulator.statusCounts)}`,
    );
    const emulatorSide: Cost = {
      loopUs: (emulator.cpu.serverEventLoopUtilization * 1e6) / emulator.throughput,
      cpuUs: (emulator.cpu.serverCores * 1e6) / emulator.throughput,
      perSec: emulator.throughput,
    };
    check(bad === 0, `decomposition: ${bad} calls failed`);
    check(
      prepayIds.length === 1_000,
      `decomposition: ${prepayIds.length} of 1000 direct WeChat Pay orders placed`,
    );
    return { emulatorSide, fetchBareKoa, createJsapiOrder, paymentParams };
  } finally {
    const closed = new Promise<void>((resolve) => bareServer.close(() => resolve()));
    bareServer.closeAllConnections();
    await closed;
  }
}

async function main(): Promise<void> {
  const server = await startBenchServer({
    IN_PROCESS_WORKER: '0',
    ORDERS_PER_MINUTE: '1000000',
    MAX_UNPAID_ORDERS: '1000000',
  });
  try {
    const keys = await loadOrCreateSandboxKeys(server.config.SANDBOX_KEYS_DIR);
    const tokens = await Promise.all(
      Array.from({ length: USERS }, (_, i) => login(server, `bench-user-${i}`)),
    );
    const closed = { kind: 'closed', concurrency: CONCURRENCY } as const;

    // Warm-up (not reported).
    const warm = await runLoad(
      {
        baseUrl: server.url,
        requests: orderRequests(tokens, WARMUP, 'warm'),
        count: WARMUP,
        mode: closed,
        maxMs: 30_000,
        collectBodies: true,
      },
      server.admin,
    );
    let created = await verifyOrders(server, warm, keys, 'warm-up orders');

    // RSA operations per order, counted on a small run (the wrappers are off for the measured run).
    const counted = await countRsa(() =>
      runLoad(
        {
          baseUrl: server.url,
          requests: orderRequests(tokens, COUNTED, 'counted'),
          count: COUNTED,
          mode: { kind: 'closed', concurrency: 8 },
          maxMs: 30_000,
          collectBodies: true,
        },
        server.admin,
      ),
    );
    created += await verifyOrders(server, counted.value, keys, 'counted orders');
    const signsPerOrder = counted.signs / COUNTED;
    const verifiesPerOrder = counted.verifies / COUNTED;

    const rsaBefore = await measureRsa(keys.merchantPrivateKey, keys.merchantPublicKey);
    const stopProfile = await startProfile('order-create');
    const run = await runLoad(
      {
        baseUrl: server.url,
        requests: orderRequests(tokens, COUNT, 'measured'),
        count: COUNT,
        mode: closed,
        maxMs: 45_000,
        collectBodies: true,
      },
      server.admin,
    );
    await stopProfile();
    const rsaAfter = await measureRsa(keys.merchantPrivateKey, keys.merchantPublicKey);
    const parts = await decompose(server, keys);
    created += await verifyOrders(server, run, keys, 'measured orders');
    check(
      run.result.sent === COUNT,
      `sent ${run.result.sent} of ${COUNT} orders (cut short by the time bound)`,
    );

    // The RSA ceiling: the machine's async signing rate shared by the signatures each order needs.
    const asyncSign = (rsaBefore.asyncSignPerSec + rsaAfter.asyncSignPerSec) / 2;
    const syncSignUs = (rsaBefore.syncSignUs + rsaAfter.syncSignUs) / 2;
    const verifyUs = (rsaBefore.verifyUs + rsaAfter.verifyUs) / 2;
    const ceiling = asyncSign / signsPerOrder;
    const ordersPerSec = run.throughput;
    const rsaCores = (ordersPerSec * (signsPerOrder * syncSignUs + verifiesPerOrder * verifyUs)) / 1e6;
    const usedCores = run.cpu.serverCores + run.cpu.redisCores + (run.cpu.loadCores ?? 0);
    const serverCpuPerOrderUs = (run.cpu.serverCores * 1e6) / ordersPerSec;
    const rsaCpuPerOrderUs = signsPerOrder * syncSignUs + verifiesPerOrder * verifyUs;
    const loopPerOrderUs = (run.cpu.serverEventLoopUtilization * 1e6) / ordersPerSec;

    console.log(
      `\norder-create — ${COUNT} orders, ${CONCURRENCY} concurrent, ${USERS} users; node ${process.version}, ` +
        `log level ${BENCH_LOG_LEVEL}`,
    );
    printTable([
      ['RSA-2048 (merchant key)', 'before', 'after', 'unit'],
      [
        'sign, sync, one thread',
        fmt.rate(rsaBefore.syncSignPerSec),
        fmt.rate(rsaAfter.syncSignPerSec),
        'sig/s of CPU',
      ],
      [
        'sign, signSha256RsaAsync ×64',
        fmt.rate(rsaBefore.asyncSignPerSec),
        fmt.rate(rsaAfter.asyncSignPerSec),
        'sig/s wall',
      ],
      [
        'verify, sync, one thread',
        fmt.rate(rsaBefore.verifyPerSec),
        fmt.rate(rsaAfter.verifyPerSec),
        'verif/s of CPU',
      ],
    ]);
    console.log('');
    printTable([
      [
        'phase',
        'n',
        'orders/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'srv cores',
        'srv ELU',
        'redis',
        'loadgen',
        'other',
      ],
      [
        `POST /api/orders, ${CONCURRENCY} conc`,
        run.latency.count,
        fmt.rate(ordersPerSec),
        fmt.ms(run.latency.p50),
        fmt.ms(run.latency.p90),
        fmt.ms(run.latency.p99),
        fmt.ms(run.latency.max),
        fmt.cores(run.cpu.serverCores),
        fmt.cores(run.cpu.serverEventLoopUtilization),
        fmt.cores(run.cpu.redisCores),
        fmt.cores(run.cpu.loadCores),
        fmt.cores(run.cpu.otherCores),
      ],
    ]);
    console.log(
      `\nRSA per order (counted over ${COUNTED} orders): ${signsPerOrder.toFixed(2)} signatures, ` +
        `${verifiesPerOrder.toFixed(2)} verifications (sandbox: the emulator's share included)`,
    );
    console.log(
      `RSA ceiling = async sign rate ${fmt.rate(asyncSign)}/s ÷ ${signsPerOrder.toFixed(2)} = ${fmt.rate(ceiling)} orders/s; ` +
        `achieved ${fmt.rate(ordersPerSec)} = ${((100 * ordersPerSec) / ceiling).toFixed(0)}% of it`,
    );
    console.log(
      `server CPU per order ${Math.round(serverCpuPerOrderUs)} µs, of which RSA ≈ ${Math.round(rsaCpuPerOrderUs)} µs ` +
        `(${((100 * rsaCpuPerOrderUs) / serverCpuPerOrderUs).toFixed(0)}%); event loop busy ${Math.round(loopPerOrderUs)} µs/order ` +
        `(ELU ${fmt.cores(run.cpu.serverEventLoopUtilization)}); RSA ≈ ${rsaCores.toFixed(2)} of ${usedCores.toFixed(2)} cores used`,
    );
    const us = (v: number) => String(Math.round(v));
    // In production the emulator's share is WeChat's: the event-loop time an order costs us there.
    const productionLoopUs = loopPerOrderUs - parts.emulatorSide.loopUs;
    const rest = {
      loopUs: loopPerOrderUs - parts.createJsapiOrder.loopUs - parts.paymentParams.loopUs,
      cpuUs: serverCpuPerOrderUs - parts.createJsapiOrder.cpuUs - parts.paymentParams.cpuUs,
    };
    console.log(
      `\nwhere an order's time goes (µs per order; in-process, same run, ${CONCURRENCY} concurrent):`,
    );
    printTable([
      ['part', 'loop µs', 'CPU µs', 'calls/s alone', 'what'],
      [
        'whole order over HTTP',
        us(loopPerOrderUs),
        us(serverCpuPerOrderUs),
        fmt.rate(ordersPerSec),
        'measured phase (ELU ÷ orders/s, process CPU ÷ orders)',
      ],
      [
        '  wxpay.createJsapiOrder',
        us(parts.createJsapiOrder.loopUs),
        us(parts.createJsapiOrder.cpuUs),
        fmt.rate(parts.createJsapiOrder.perSec),
        'sign + fetch + emulator (Koa, verify, sign) + verify',
      ],
      [
        '    of which the emulator',
        us(parts.emulatorSide.loopUs),
        us(parts.emulatorSide.cpuUs),
        fmt.rate(parts.emulatorSide.perSec),
        "WeChat's side in production: Koa, verify, ledger, sign",
      ],
      [
        '  paymentParams (paySign)',
        us(parts.paymentParams.loopUs),
        us(parts.paymentParams.cpuUs),
        fmt.rate(parts.paymentParams.perSec),
        'one signSha256RsaAsync',
      ],
      ['  the rest', us(rest.loopUs), us(rest.cpuUs), '-', 'HTTP + middleware + session + Redis + logs'],
      [
        'order minus emulator',
        us(productionLoopUs),
        '-',
        fmt.rate(1e6 / productionLoopUs),
        'our share, i.e. the event-loop ceiling in production',
      ],
      [
        'for scale: fetch → bare Koa',
        us(parts.fetchBareKoa.loopUs),
        us(parts.fetchBareKoa.cpuUs),
        fmt.rate(parts.fetchBareKoa.perSec),
        'global fetch round trip in-process (client + server)',
      ],
    ]);
    if (run.cpu.otherCores > 0.25) {
      console.log(
        `WARNING: other processes used ${run.cpu.otherCores.toFixed(2)} core during the run; on 2 cores that skews ` +
          'the figures; rerun on a quiet machine.',
      );
    }
    console.log(
      `checks: ${failures.length === 0 ? 'all passed' : `${failures.length} FAILED`} (${created} orders verified)`,
    );
    console.log(
      JSON.stringify(
        rounded({
          bench: 'order-create',
          node: process.version,
          logLevel: BENCH_LOG_LEVEL,
          concurrency: CONCURRENCY,
          users: USERS,
          ordersPerSec,
          latencyMs: run.latency,
          rsa: { before: rsaBefore, after: rsaAfter },
          perOrder: { signs: signsPerOrder, verifies: verifiesPerOrder },
          rsaCeilingOrdersPerSec: ceiling,
          fractionOfCeiling: ordersPerSec / ceiling,
          serverCpuPerOrderUs,
          rsaCpuPerOrderUs,
          eventLoopPerOrderUs: loopPerOrderUs,
          partsUs: parts,
          productionLoopUsPerOrder: productionLoopUs,
          cpu: run.cpu,
          checks: { passed: failures.length === 0, failures },
        }),
      ),
    );
  } finally {
    const deleted = await server.shutdown();
    console.log(`cleanup: deleted ${deleted} Redis keys under ${server.prefix}`);
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`CHECK FAILED: ${f}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
