/**
 * Small measuring helpers shared by the benchmarks: percentiles, CPU accounting of this process, of Redis and of
 * the load generator, and plain-text tables. No jest, no server code.
 */
import { readFileSync } from 'node:fs';
import {
  constants as perfConstants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type EventLoopUtilization,
} from 'node:perf_hooks';
import type { Redis } from '../../server/src/redis';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of the finite values in `samples` (milliseconds in, milliseconds out). */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const values: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i] as number;
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const at = (p: number) =>
    values.length === 0 ? NaN : (values[Math.ceil((p / 100) * values.length) - 1] ?? NaN);
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    count: values.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: values.length === 0 ? NaN : (values[values.length - 1] as number),
    mean: values.length === 0 ? NaN : sum / values.length,
  };
}

/** Seconds of CPU Redis has used (user + system, main thread and children), from INFO cpu. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Busy CPU time of the whole machine in seconds (/proc/stat; USER_HZ is 100 on Linux), or NaN elsewhere. */
export function machineBusySeconds(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return NaN;
  }
}

/** Where the CPU went during one phase, in cores (CPU seconds per wall second). */
export interface CpuShare {
  /** This process: the event loop plus libuv's thread pool (RSA signing happens there) plus GC threads. */
  serverCores: number;
  /** Fraction of wall time the main thread's event loop was busy. */
  serverEventLoopUtilization: number;
  redisCores: number;
  /** The forked load generator (reported by itself). */
  loadCores?: number;
  /** Everything else on the machine (other processes, kernel softirq work not charged to ours). */
  otherCores: number;
}

export interface CpuMark {
  wallMs: number;
  cpu: NodeJS.CpuUsage;
  elu: EventLoopUtilization;
  redisSeconds: number;
  machineSeconds: number;
}

export async function cpuMark(redis: Redis): Promise<CpuMark> {
  return {
    wallMs: performance.now(),
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    redisSeconds: await redisCpuSeconds(redis),
    machineSeconds: machineBusySeconds(),
  };
}

/**
 * The CPU used between two marks. The end mark is taken after an await on Redis, a few hundred microseconds
 * after the phase ended: negligible next to phases of seconds.
 */
export function cpuBetween(start: CpuMark, end: CpuMark, loadCpuMicros?: number): CpuShare {
  const wallSeconds = (end.wallMs - start.wallMs) / 1000;
  const serverMicros = end.cpu.user - start.cpu.user + (end.cpu.system - start.cpu.system);
  const elu = performance.eventLoopUtilization(end.elu, start.elu);
  const serverCores = serverMicros / 1e6 / wallSeconds;
  const redisCores = (end.redisSeconds - start.redisSeconds) / wallSeconds;
  const loadCores = loadCpuMicros === undefined ? 0 : loadCpuMicros / 1e6 / wallSeconds;
  const machineCores = (end.machineSeconds - start.machineSeconds) / wallSeconds;
  return {
    serverCores,
    serverEventLoopUtilization: elu.utilization,
    redisCores,
    ...(loadCpuMicros === undefined ? {} : { loadCores }),
    otherCores: Math.max(0, machineCores - serverCores - redisCores - loadCores),
  };
}

export const fmt = {
  ms: (v: number) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v.toFixed(1)) : '-'),
  rate: (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-'),
  cores: (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(2)),
  ratio: (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-'),
};

/** Prints rows as an aligned plain-text table (first row is the header). */
export function printTable(rows: (string | number)[][]): void {
  const text = rows.map((r) => r.map(String));
  const widths = text[0]?.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const [head, ...body] = text;
  if (!head) return;
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}

/** Rounds every number in a JSON-bound object to at most 3 decimals (keeps the summary line short). */
export function rounded<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)),
  ) as T;
}

export interface StallReport {
  /** Event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution): how late timers ran. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Garbage-collection pauses of this process's main thread while monitored. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Kind of the longest pause (minor = scavenge, major = mark-compact, …). */
  gcMaxKind: string;
}

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Watches this process for event-loop stalls and GC pauses until the returned function is called. */
export function monitorStalls(): () => StallReport {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcCount = 0;
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  let gcMaxKind = '-';
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount++;
      gcTotalMs += entry.duration;
      if (entry.duration > gcMaxMs) {
        gcMaxMs = entry.duration;
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
        gcMaxKind = GC_KINDS[kind] ?? String(kind);
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    delay.disable();
    observer.disconnect();
    return {
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
      gcCount,
      gcTotalMs,
      gcMaxMs,
      gcMaxKind,
    };
  };
}

/** Cumulative bucket counts of one Prometheus histogram (summed over its labels), from a /metrics endpoint. */
export async function histogramBuckets(metricsUrl: string, name: string): Promise<Map<number, number>> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined || !Number.isFinite(count)) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + count);
  }
  return buckets;
}

/**
 * From two snapshots of a histogram, the upper bound (in ms) of the bucket holding the p-th percentile of the
 * observations made in between, and how many observations that was.
 */
export function bucketPercentileMs(
  before: Map<number, number>,
  after: Map<number, number>,
  p: number,
): { count: number; upperBoundMs: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const target = Math.ceil((p / 100) * total);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= target)
      return { count: total, upperBoundMs: bound * 1000 };
  }
  return { count: total, upperBoundMs: Infinity };
}

/** Prints a benchmark's one-line JSON summary, numbers rounded. */
export function printSummary(value: object): void {
  console.log(JSON.stringify(rounded(value)));
}
