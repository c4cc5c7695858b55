import fc from 'fast-check';
import { caseSeed, fuzzSettings } from './fuzz-settings';

/**
 * One entry point under fuzz. `input` generates a case from its seed (a small, printable description: large values
 * are described by their recipe and built in `run`); `run` sends it and throws when an oracle does not hold.
 */
export interface FuzzTarget<I> {
  /** Stable name: part of every case's seed, and of the report. */
  name: string;
  /** The test file that runs this target: the replay command names it. */
  testFile: string;
  /** Cases in CI when FUZZ_CASES is not set. */
  ciCases: number;
  input: fc.Arbitrary<I>;
  run(input: I, index: number): Promise<void>;
  /** Checks the server as a whole (it still answers /healthz, ...); called every {@link CHECKPOINT_EVERY} cases. */
  checkpoint?(): Promise<void>;
}

export interface FuzzFailure {
  index: number;
  input: string;
  error: string;
}

export interface FuzzReport {
  target: string;
  testFile: string;
  seed: number;
  cases: number;
  failures: FuzzFailure[];
}

const CHECKPOINT_EVERY = 25;
/** Failures described in full in the report; the rest are counted. */
const FAILURES_SHOWN = 5;
const INPUT_PREVIEW_CHARS = 1_500;
/**
 * A case with no answer for this long has hung the server (or the client): reported as a failure of that case,
 * with its seed, instead of a bare jest timeout. A hang detector, not a speed check: cases take milliseconds.
 */
const CASE_HANG_MS = 20_000;

/** The case's input as a report shows it: fast-check's rendering, cut short for huge values. */
export function preview(input: unknown): string {
  const text = fc.stringify(input);
  return text.length <= INPUT_PREVIEW_CHARS
    ? text
    : `${text.slice(0, INPUT_PREVIEW_CHARS)}… (${text.length} characters; FUZZ_CASE regenerates it in full)`;
}

/** The input of case `index` of a run: generated from that case's own seed only. */
export function generateCase<I>(
  target: Pick<FuzzTarget<I>, 'name' | 'input'>,
  seed: number,
  index: number,
): I {
  const [input] = fc.sample(target.input, { seed: caseSeed(seed, target.name, index), numRuns: 1 });
  return input as I;
}

function withHangGuard(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no outcome after ${CASE_HANG_MS / 1000} s: the case hung`)),
      CASE_HANG_MS,
    );
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** How many cases a target runs in this run (FUZZ_CASES, or its CI count; 1 when replaying a case). */
export function casesOf(target: Pick<FuzzTarget<unknown>, 'ciCases'>): number {
  const settings = fuzzSettings();
  return settings.onlyCase !== undefined ? 1 : (settings.cases ?? target.ciCases);
}

/** Runs cases `first..first+count-1` of a target, sequentially, collecting every failure. */
export async function runCases<I>(
  target: FuzzTarget<I>,
  first: number,
  count: number,
): Promise<FuzzFailure[]> {
  const { seed } = fuzzSettings();
  const failures: FuzzFailure[] = [];
  for (let index = first; index < first + count; index++) {
    const input = generateCase(target, seed, index);
    try {
      await withHangGuard(target.run(input, index));
    } catch (err) {
      failures.push({ index, input: preview(input), error: errorText(err) });
    }
    if (target.checkpoint && (index - first + 1) % CHECKPOINT_EVERY === 0) {
      try {
        await target.checkpoint();
      } catch (err) {
        failures.push({
          index,
          input: preview(input),
          error: `checkpoint after this case: ${errorText(err)}`,
        });
      }
    }
  }
  if (target.checkpoint) await target.checkpoint();
  return failures;
}

/** The text a failed run throws: seed, each failing case's index and input, and the command that replays it. */
export function describeFailures(report: FuzzReport): string {
  const { target, testFile, seed, cases, failures } = report;
  const lines = [`fuzz ${target}: ${failures.length} of ${cases} case(s) failed (FUZZ_SEED=${seed})`];
  for (const failure of failures.slice(0, FAILURES_SHOWN)) {
    lines.push(
      '',
      `case #${failure.index}: ${failure.error}`,
      `  input: ${failure.input}`,
      `  replay: FUZZ_SEED=${seed} FUZZ_CASE=${failure.index} npx jest --selectProjects fuzz ${testFile}`,
    );
  }
  if (failures.length > FAILURES_SHOWN) {
    lines.push(
      '',
      `… and ${failures.length - FAILURES_SHOWN} more: ${failures.map((f) => f.index).join(', ')}`,
    );
  }
  return lines.join('\n');
}

/**
 * Runs a target's cases of this run (all of them, or the one FUZZ_CASE names), prints a one-line summary (the
 * figures of a full run) and throws a replayable report if any case failed.
 */
export async function fuzz<I>(target: FuzzTarget<I>): Promise<FuzzReport> {
  const settings = fuzzSettings();
  const first = settings.onlyCase ?? 0;
  const cases = casesOf(target);
  const failures = await runCases(target, first, cases);
  const report: FuzzReport = {
    target: target.name,
    testFile: target.testFile,
    seed: settings.seed,
    cases,
    failures,
  };
  process.stdout.write(
    `fuzz ${target.name}: ${cases} case(s), seed ${settings.seed}` +
      `${settings.onlyCase === undefined ? '' : ` (case #${settings.onlyCase} only)`}, ${failures.length} failure(s)\n`,
  );
  if (failures.length > 0) throw new Error(describeFailures(report));
  return report;
}

/** Jest timeout for a target's test: generous (cases take milliseconds); only a stuck run should reach it. */
export function fuzzTimeoutMs(ciCases: number): number {
  return 120_000 + casesOf({ ciCases }) * 500;
}
