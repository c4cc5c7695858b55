/**
 * Runs one load job in a forked load generator (bench/support/load-child.ts) and accounts for the CPU the server
 * process, Redis and the generator used while it ran.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { Redis } from '../../server/src/redis';
import type { ChildMessage, LoadJob, LoadResult } from './load-types';
import { cpuBetween, cpuMark, summarize, type CpuMark, type CpuShare, type LatencySummary } from './stats';

export type { LoadJob, LoadResult, RequestSpec } from './load-types';

export interface LoadRun {
  result: LoadResult;
  cpu: CpuShare;
  latency: LatencySummary;
  /** Completed requests per second over the run. */
  throughput: number;
  /** Count of each status code (`0` = no response). */
  statusCounts: Record<string, number>;
}

const CHILD = join(__dirname, 'load-child.ts');
/** Even a job cut short by its own `maxMs` must report by then, plus its per-request timeout and start-up. */
const STARTUP_ALLOWANCE_MS = 20_000;

/** BENCH_CLIENT=node-http runs every job with node:http instead of the raw client. */
const CLIENT = process.env['BENCH_CLIENT'] === 'node-http' ? 'node-http' : 'raw';

export async function runLoad(job: LoadJob, redis: Redis): Promise<LoadRun> {
  job = { client: CLIENT, ...job };
  // The parent's flags (tsx loader, source condition) let the child run TypeScript too.
  const child = fork(CHILD, [], { execArgv: process.execArgv, serialization: 'advanced', stdio: 'inherit' });
  let begin: Promise<CpuMark> | undefined;
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const limit = job.maxMs + (job.timeoutMs ?? 10_000) + STARTUP_ALLOWANCE_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator did not finish within ${limit} ms`));
    }, limit);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') child.send(job);
      else if (message.type === 'begin') begin = cpuMark(redis);
      else if (message.type === 'done') {
        clearTimeout(timer);
        resolve(message.result);
      } else {
        clearTimeout(timer);
        reject(new Error(`load generator failed: ${message.error}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`load generator exited (${code}) before reporting`));
    });
  });
  const end = await cpuMark(redis);
  if (!begin) throw new Error('load generator never began');
  const start = await begin;
  // The end mark is taken when the result arrives; use the generator's own elapsed time for the wall clock.
  const wall: CpuMark = { ...end, wallMs: start.wallMs + result.elapsedMs };
  const statusCounts: Record<string, number> = {};
  for (let i = 0; i < result.sent; i++) {
    const key = String(result.statuses[i]);
    statusCounts[key] = (statusCounts[key] ?? 0) + 1;
  }
  const latency = summarize(result.latenciesMs);
  return {
    result,
    cpu: cpuBetween(start, wall, result.cpuMicros),
    latency,
    throughput: latency.count / (result.elapsedMs / 1000),
    statusCounts,
  };
}
