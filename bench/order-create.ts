/**
 * Benchmark: order creation, POST /api/orders with a session, against the RSA-2048 signing rate measured in the
 * same run, to judge the quality bar "order creation bound by RSA signing (two signatures per order), not by the code
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
import { loadOrCreateSandboxKeys } from '../server/src/sandbox';
import { BENCH_LOG_LEVEL, startBenchServer, stopBenchServer } from './support/bench-server';
import { Checks, runBench } from './support/checks';
import { costOfRun, type Cost } from './support/cost';
import { envNumber } from './support/env';
import { runLoad } from './support/load';
import { decompose } from './support/order-parts';
import { orderRequests, verifyOrders } from './support/order-requests';
import { printPhaseTable } from './support/phase-table';
import { startProfile } from './support/profile';
import { countRsa, measureRsa } from './support/rsa-rates';
import { login } from './support/session';
import { fmt, printSummary, printTable } from './support/stats';

const COUNT = envNumber('ORDER_COUNT', 3_000);
const CONCURRENCY = envNumber('ORDER_CONCURRENCY', 32);
const USERS = envNumber('ORDER_USERS', 64);
const WARMUP = 300;
const COUNTED = 100;

const checks = new Checks();

async function main(): Promise<void> {
  const server = await startBenchServer({
    IN_PROCESS_WORKER: '0',
    ORDERS_PER_MINUTE: '1000000',
    MAX_UNPAID_ORDERS: '1000000',
  });
  try {
    const keys = await loadOrCreateSandboxKeys(server.config.SANDBOX_KEYS_DIR);
    const tokens = await Promise.all(
      Array.from({ length: USERS }, (_, i) => login(server.url, `bench-user-${i}`)),
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
    let created = await verifyOrders(server, warm, keys, 'warm-up orders', checks);

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
    created += await verifyOrders(server, counted.value, keys, 'counted orders', checks);
    const signsPerOrder = counted.signs / COUNTED;
    const verifiesPerOrder = counted.verifies / COUNTED;

    const rsaBefore = await measureRsa(keys.merchantPrivateKey, keys.merchantPublicKey, checks);
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
    const rsaAfter = await measureRsa(keys.merchantPrivateKey, keys.merchantPublicKey, checks);
    const parts = await decompose(server, keys, CONCURRENCY, checks);
    created += await verifyOrders(server, run, keys, 'measured orders', checks);
    checks.check(
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
    const { cpuUs: serverCpuPerOrderUs, loopUs: loopPerOrderUs } = costOfRun(run);
    const rsaCpuPerOrderUs = signsPerOrder * syncSignUs + verifiesPerOrder * verifyUs;

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
    printPhaseTable('orders/s', [{ name: `POST /api/orders, ${CONCURRENCY} conc`, run }]);
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
    // In production the emulator's share is WeChat's: the event-loop time an order costs us there.
    const productionLoopUs = loopPerOrderUs - parts.emulatorSide.loopUs;
    const rest = {
      loopUs: loopPerOrderUs - parts.createJsapiOrder.loopUs - parts.paymentParams.loopUs,
      cpuUs: serverCpuPerOrderUs - parts.createJsapiOrder.cpuUs - parts.paymentParams.cpuUs,
    };
    const us = (v: number) => String(Math.round(v));
    const costRow = (part: string, cost: Cost, what: string) => [
      part,
      us(cost.loopUs),
      us(cost.cpuUs),
      fmt.rate(cost.perSec),
      what,
    ];
    console.log(
      `\nwhere an order's time goes (µs per order; in-process, same run, ${CONCURRENCY} concurrent):`,
    );
    printTable([
      ['part', 'loop µs', 'CPU µs', 'calls/s alone', 'what'],
      costRow(
        'whole order over HTTP',
        costOfRun(run),
        'measured phase (ELU ÷ orders/s, process CPU ÷ orders)',
      ),
      costRow(
        '  wxpay.createJsapiOrder',
        parts.createJsapiOrder,
        'sign + fetch + emulator (Koa, verify, sign) + verify',
      ),
      costRow(
        '    of which the emulator',
        parts.emulatorSide,
        "WeChat's side in production: Koa, verify, ledger, sign",
      ),
      costRow('  paymentParams (paySign)', parts.paymentParams, 'one signSha256RsaAsync'),
      ['  the rest', us(rest.loopUs), us(rest.cpuUs), '-', 'HTTP + middleware + session + Redis + logs'],
      [
        'order minus emulator',
        us(productionLoopUs),
        '-',
        fmt.rate(1e6 / productionLoopUs),
        'our share, i.e. the event-loop ceiling in production',
      ],
      costRow(
        'for scale: fetch → bare Koa',
        parts.fetchBareKoa,
        'global fetch round trip in-process (client + server)',
      ),
    ]);
    if (run.cpu.otherCores > 0.25) {
      console.log(
        `WARNING: other processes used ${run.cpu.otherCores.toFixed(2)} core during the run; on 2 cores that skews ` +
          'the figures; rerun on a quiet machine.',
      );
    }
    console.log(`checks: ${checks.status} (${created} orders verified)`);
    printSummary({
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
      checks: checks.summary(),
    });
  } finally {
    await stopBenchServer(server);
  }
}

runBench(checks, main);
