/**
 * What one call costs this process: event-loop time and CPU per call, priced either from an in-process run of
 * the call (`price`) or from a load phase against the server (`costOfRun`).
 */
import { performance } from 'node:perf_hooks';
import type { LoadRun } from './load';

export interface Cost {
  /** Event-loop busy time per call (ELU ÷ calls/s), µs. */
  loopUs: number;
  /** Process CPU per call (all threads: the RSA thread pool included), µs. */
  cpuUs: number;
  perSec: number;
}

/** CPU time this process has used, in µs (all threads). */
export function cpuNowUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Runs `count` calls of `fn` with `concurrency` in flight, in this process, and prices one call. */
export async function price(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Cost> {
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

/** The server's cost per request during a load phase (its CPU and ELU ÷ the phase's throughput). */
export function costOfRun(run: LoadRun): Cost {
  return {
    loopUs: (run.cpu.serverEventLoopUtilization * 1e6) / run.throughput,
    cpuUs: (run.cpu.serverCores * 1e6) / run.throughput,
    perSec: run.throughput,
  };
}
