/**
 * Benchmark: the WeChat Pay callback acknowledgement path, POST /api/pay/wxpay/notify (verify the RSA signature
 * over the raw body, decrypt the AES-GCM resource, compare-and-set CREATED→PAID, enqueue the BullMQ job, 204).
 *
 * The real server runs in this process (sandbox mode, no background worker, so jobs stay queued); a forked load
 * generator sends genuine notifications (signed and encrypted like WeChat Pay's, fresh timestamps) for orders
 * created directly in the order store, over keep-alive HTTP (a minimal HTTP/1.1 client, so that on 2 cores the
 * generator leaves the server as much CPU as possible; BENCH_CLIENT=node-http to use node:http instead):
 *   - closed loop at a fixed concurrency, against two baselines measured in the same run at the same concurrency
 *     (a bare Koa JSON endpoint in this process, and GET /healthz through the server's full middleware stack);
 *   - open loop at a fixed arrival rate, latency measured from each request's scheduled send time.
 * "srv cores" is this process's CPU (event loop, thread pool, GC), "srv ELU" its event-loop utilisation; "redis",
 * "loadgen" and "other" (everything else on the machine, from /proc/stat) show what else competed for the cores.
 * Then it checks every callback was answered 204, every order is PAID (paidVia notify, the right transaction id)
 * with exactly one queued job, that replayed callbacks change nothing and that a tampered one is refused.
 *
 * Quality bar: callback ack p99 < 50 ms at 500 callbacks/s; verified-callback throughput ≥ 0.5 × a bare Koa JSON
 * endpoint in the same run.
 *
 *   node --conditions=@tokentill/source --import tsx bench/notify-ack.ts
 *
 * Knobs (env): NOTIFY_COUNT (5000), NOTIFY_CONCURRENCY (32), NOTIFY_RATE (500/s), NOTIFY_RATE_SECONDS (5),
 * BENCH_LOG_LEVEL (info, written to /dev/null; "silent" to see what logging costs), BENCH_CPU_PROFILE=<dir>
 * (CPU profile of the closed-loop callback phase; profiling slows it, so figures from such a run don't count).
 * Exits 1 when a correctness check fails; slow figures are reported, never fatal.
 */
import { loadOrCreateSandboxKeys } from '../server/src/sandbox';
import { startBareKoa } from './support/bare-koa';
import { BENCH_LOG_LEVEL, startBenchServer, stopBenchServer } from './support/bench-server';
import { Checks, runBench } from './support/checks';
import { costOfRun } from './support/cost';
import { envNumber } from './support/env';
import { runLoad, type LoadRun, type RequestSpec } from './support/load';
import { measureComponents } from './support/notify-components';
import { checkPaidOnce, createOrders } from './support/notify-orders';
import { printPhaseTable, type PhaseRow } from './support/phase-table';
import { startProfile } from './support/profile';
import {
  bucketPercentileMs,
  fmt,
  histogramBuckets,
  monitorStalls,
  printSummary,
  printTable,
} from './support/stats';
import { transactionNotifications, type PaidOrder } from './support/wxpay-notify';

const COUNT = envNumber('NOTIFY_COUNT', 5_000);
const CONCURRENCY = envNumber('NOTIFY_CONCURRENCY', 32);
const RATE = envNumber('NOTIFY_RATE', 500);
const RATE_SECONDS = envNumber('NOTIFY_RATE_SECONDS', 5);
const WARMUP = 1_000;
const BASELINE_COUNT = 40_000;
const HEALTHZ_COUNT = 30_000;
const REPLAY_COUNT = 200;
/** Orders credited by calling applyTransaction directly (no HTTP), to split a callback's cost. */
const DIRECT_COUNT = 2_000;
const PAYER_OPENID = 'oBench0000000000000000000000';

const checks = new Checks();

function expectAll(run: LoadRun, count: number, status: number, what: string): void {
  checks.check(
    run.result.sent === count,
    `${what}: sent ${run.result.sent} of ${count} (cut short by the time bound)`,
  );
  checks.check(
    run.statusCounts[String(status)] === run.result.sent,
    `${what}: expected every answer ${status}, got ${JSON.stringify(run.statusCounts)}` +
      (run.result.errorSamples.length ? ` errors: ${run.result.errorSamples.join('; ')}` : ''),
  );
}

async function main(): Promise<void> {
  const server = await startBenchServer({ IN_PROCESS_WORKER: '0' });
  const bare = await startBareKoa();
  const bareUrl = bare.url;
  const rows: PhaseRow[] = [];

  try {
    const keys = await loadOrCreateSandboxKeys(server.config.SANDBOX_KEYS_DIR);
    const priceFen = server.config.catalog.tiers.get('basic')?.priceFen ?? 10;
    const openCount = Math.round(RATE * RATE_SECONDS);
    const all = await createOrders(server, WARMUP + COUNT + openCount + DIRECT_COUNT + 1, priceFen);
    const warmOrders = all.slice(0, WARMUP);
    const closedOrders = all.slice(WARMUP, WARMUP + COUNT);
    const openOrders = all.slice(WARMUP + COUNT, WARMUP + COUNT + openCount);
    const directOrders = all.slice(WARMUP + COUNT + openCount, WARMUP + COUNT + openCount + DIRECT_COUNT);
    const forgedOrder = all[all.length - 1] as PaidOrder;
    console.log(
      `notify-ack: ${all.length} orders created; building notifications (RSA-signed, AES-GCM encrypted)…`,
    );

    const closed = { kind: 'closed', concurrency: CONCURRENCY } as const;
    const healthz: RequestSpec = { method: 'GET', path: '/healthz' };

    // Warm-up (not reported): JIT, connection pools, Lua script caches.
    const warmNotes = await transactionNotifications(keys, warmOrders, PAYER_OPENID);
    await runLoad(
      { baseUrl: bareUrl, requests: [healthz], count: 5_000, mode: closed, maxMs: 10_000 },
      server.admin,
    );
    await runLoad(
      { baseUrl: server.url, requests: [healthz], count: 5_000, mode: closed, maxMs: 10_000 },
      server.admin,
    );
    const warm = await runLoad(
      { baseUrl: server.url, requests: warmNotes, count: warmNotes.length, mode: closed, maxMs: 20_000 },
      server.admin,
    );
    expectAll(warm, warmNotes.length, 204, 'warm-up callbacks');

    // Closed loop: the two baselines, then the callbacks, at the same concurrency.
    const baseline = await runLoad(
      { baseUrl: bareUrl, requests: [healthz], count: BASELINE_COUNT, mode: closed, maxMs: 8_000 },
      server.admin,
    );
    rows.push({ name: `bare Koa JSON, ${CONCURRENCY} conc`, run: baseline });
    const health = await runLoad(
      { baseUrl: server.url, requests: [healthz], count: HEALTHZ_COUNT, mode: closed, maxMs: 8_000 },
      server.admin,
    );
    rows.push({ name: `GET /healthz (full stack), ${CONCURRENCY} conc`, run: health });

    const closedNotes = await transactionNotifications(keys, closedOrders, PAYER_OPENID);
    const stopProfile = await startProfile('notify-ack-closed-loop');
    const notify = await runLoad(
      { baseUrl: server.url, requests: closedNotes, count: closedNotes.length, mode: closed, maxMs: 30_000 },
      server.admin,
    );
    await stopProfile();
    rows.push({ name: `callbacks, ${CONCURRENCY} conc`, run: notify });
    expectAll(notify, closedNotes.length, 204, 'closed-loop callbacks');

    // Open loop: the measurement floor (bare Koa at the same rate), then the callbacks.
    const open = { kind: 'open', ratePerSecond: RATE, maxSockets: 256 } as const;
    const prewarm = { path: '/healthz', connections: 32 };
    const floor = await runLoad(
      {
        baseUrl: bareUrl,
        requests: [healthz],
        count: Math.round(RATE * 2),
        mode: open,
        maxMs: 10_000,
        prewarm,
      },
      server.admin,
    );
    rows.push({ name: `bare Koa JSON, ${RATE}/s open loop`, run: floor });
    const openNotes = await transactionNotifications(keys, openOrders, PAYER_OPENID);
    const ackMetric = 'tokentill_payment_notification_ack_seconds';
    const ackBefore = await histogramBuckets(server.metricsUrl!, ackMetric);
    const stopMonitor = monitorStalls();
    const openRun = await runLoad(
      {
        baseUrl: server.url,
        requests: openNotes,
        count: openNotes.length,
        mode: open,
        maxMs: RATE_SECONDS * 1000 + 10_000,
        prewarm,
      },
      server.admin,
    );
    const stalls = stopMonitor();
    // The route's own view (receiving → acknowledging, after HTTP parsing and any queueing for the event loop).
    const inHandlerP99 = bucketPercentileMs(
      ackBefore,
      await histogramBuckets(server.metricsUrl!, ackMetric),
      99,
    );
    rows.push({ name: `callbacks, ${RATE}/s open loop`, run: openRun });
    expectAll(openRun, openNotes.length, 204, 'open-loop callbacks');

    // Replays of already-applied callbacks (same bytes, still fresh) must be acknowledged and change nothing.
    const replay = await runLoad(
      {
        baseUrl: server.url,
        requests: closedNotes.slice(0, REPLAY_COUNT),
        count: REPLAY_COUNT,
        mode: { kind: 'closed', concurrency: 8 },
        maxMs: 10_000,
      },
      server.admin,
    );
    expectAll(replay, REPLAY_COUNT, 204, 'replayed callbacks');
    // A tampered body (signature no longer matches) must be refused and credit nothing.
    const [forged] = await transactionNotifications(keys, [forgedOrder], PAYER_OPENID);
    if (forged?.body) {
      const res = await fetch(`${server.url}${forged.path}`, {
        method: 'POST',
        headers: forged.headers ?? {},
        body: forged.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" '),
      });
      await res.arrayBuffer();
      checks.check(res.status === 401, `tampered callback answered ${res.status}, expected 401`);
    }

    // Where a callback's event-loop time goes, measured in-process in the same run (not over HTTP).
    const components = await measureComponents(server, keys, closedNotes, directOrders, {
      payerOpenid: PAYER_OPENID,
      concurrency: CONCURRENCY,
      checks,
    });

    // Every order paid exactly once, with exactly one queued job.
    const paidOrders = [...warmOrders, ...closedOrders, ...openOrders, ...directOrders];
    const transactionOf = new Map<string, string>(components.transactionOf);
    [...warmNotes, ...closedNotes, ...openNotes].forEach((n, i) => {
      const order = paidOrders[i];
      if (order) transactionOf.set(order.id, n.transactionId);
    });
    const totalJobs = await checkPaidOnce(server, paidOrders, transactionOf, forgedOrder, checks);

    // Report.
    console.log(
      `\nnotify-ack — ${COUNT} callbacks at ${CONCURRENCY} concurrent, ${openCount} at ${RATE}/s; ` +
        `node ${process.version}, log level ${BENCH_LOG_LEVEL}`,
    );
    printPhaseTable('req/s', rows);
    const bareCost = costOfRun(baseline);
    const healthzCost = costOfRun(health);
    const callbackCost = costOfRun(notify);
    const us = (v: number) => (v < 100 ? v.toFixed(1) : String(Math.round(v)));
    console.log(`\nwhere a callback's time goes (µs per request; same run):`);
    printTable([
      ['component', 'CPU µs', 'loop µs', 'how measured'],
      [
        'bare Koa request',
        us(bareCost.cpuUs),
        us(bareCost.loopUs),
        'bare Koa phase: process CPU, ELU ÷ req/s',
      ],
      [
        'GET /healthz, full middleware stack',
        us(healthzCost.cpuUs),
        us(healthzCost.loopUs),
        '/healthz phase (logs 1 line)',
      ],
      [
        '  one log line (info, redaction on)',
        us(components.logLineUs),
        '-',
        '5,000 lines, server logger config',
      ],
      ['openNotification', us(components.openUs), '-', `${components.openOps} calls: verify+decrypt+parse`],
      ['  RSA-2048 verify alone', us(components.verifyUs), '-', `${components.openOps} verifySha256Rsa`],
      [
        'applyTransaction',
        us(components.applyCpuUs),
        us(components.applyLoopUs),
        `${DIRECT_COUNT} direct calls, ${CONCURRENCY} conc (${fmt.rate(components.applyRps)}/s): CAS + BullMQ + logs`,
      ],
      [
        'whole callback over HTTP',
        us(callbackCost.cpuUs),
        us(callbackCost.loopUs),
        'callbacks phase (logs 3 lines)',
      ],
    ]);
    const busy = rows.filter(({ run }) => run.cpu.otherCores > 0.25).map(({ name }) => name);
    if (busy.length > 0) {
      console.log(
        `\nWARNING: other processes used > 0.25 core during: ${busy.join('; ')}. On 2 cores that skews the ` +
          'figures; rerun on a quiet machine.',
      );
    }
    const ratio = notify.throughput / baseline.throughput;
    const ratioHealthz = notify.throughput / health.throughput;
    const serverCpuPerCallbackUs = callbackCost.cpuUs;
    const eluPerCallbackUs = callbackCost.loopUs;
    console.log(
      `\nthroughput ratio callbacks / bare Koa = ${fmt.ratio(ratio)} (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'}); ` +
        `callbacks / healthz = ${fmt.ratio(ratioHealthz)}`,
    );
    console.log(
      `open-loop p99 at ${RATE}/s = ${fmt.ms(openRun.latency.p99)} ms (target < 50 ms: ${openRun.latency.p99 < 50 ? 'met' : 'NOT met'}); ` +
        `load generator dispatch lag max ${fmt.ms(openRun.result.maxDispatchLagMs)} ms; server during it: ` +
        `event-loop delay p99 ${fmt.ms(stalls.loopDelayP99Ms)} / max ${fmt.ms(stalls.loopDelayMaxMs)} ms, ` +
        `${stalls.gcCount} GC pauses, ${fmt.ms(stalls.gcTotalMs)} ms in all, longest ${fmt.ms(stalls.gcMaxMs)} ms (${stalls.gcMaxKind}); ` +
        `in-handler p99 ≤ ${fmt.ms(inHandlerP99.upperBoundMs)} ms (ack histogram bucket, ${inHandlerP99.count} callbacks)`,
    );
    console.log(
      `server CPU per callback ≈ ${Math.round(serverCpuPerCallbackUs)} µs (all threads), event-loop busy ≈ ` +
        `${Math.round(eluPerCallbackUs)} µs; checks: ${checks.status} ` +
        `(${paidOrders.length} orders PAID, ${totalJobs} jobs, ${REPLAY_COUNT} replays 204, tampered 401)`,
    );
    const summary = {
      bench: 'notify-ack',
      node: process.version,
      logLevel: BENCH_LOG_LEVEL,
      concurrency: CONCURRENCY,
      baselineRps: baseline.throughput,
      healthzRps: health.throughput,
      callbackRps: notify.throughput,
      ratioVsBareKoa: ratio,
      ratioVsHealthz: ratioHealthz,
      closedLoopMs: notify.latency,
      openLoop: {
        rate: RATE,
        n: openRun.latency.count,
        achievedRps: openRun.throughput,
        ms: openRun.latency,
      },
      openLoopFloorMs: floor.latency,
      openLoopServerStalls: stalls,
      openLoopInHandlerP99UpperBoundMs: inHandlerP99.upperBoundMs,
      serverCpuPerCallbackUs,
      eventLoopPerCallbackUs: eluPerCallbackUs,
      componentsUs: {
        bareKoaRequestCpu: bareCost.cpuUs,
        healthzRequestCpu: healthzCost.cpuUs,
        logLine: components.logLineUs,
        openNotification: components.openUs,
        rsaVerify: components.verifyUs,
        applyTransactionCpu: components.applyCpuUs,
        applyTransactionLoop: components.applyLoopUs,
      },
      otherCoresMax: Math.max(...rows.map(({ run }) => run.cpu.otherCores)),
      checks: checks.summary(),
    };
    printSummary(summary);
  } finally {
    await bare.close();
    await stopBenchServer(server);
  }
}

runBench(checks, main);
