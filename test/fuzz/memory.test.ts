import { describeFailures, runCases, type FuzzFailure, type FuzzTarget } from './fuzz-runner';
import { fuzzSettings } from './fuzz-settings';
import { useFuzzServer } from './fuzz-server';
import { heapAfterGc, mib } from './heap';
import { notifyTarget } from './notify-target';
import { ordersTarget } from './orders-target';
import { sessionTarget } from './session-target';
import { wsTarget } from './ws-target';

/**
 * Bounded memory: the server (in this process, with its embedded sandboxes) fed rounds of new cases from every
 * target; its heap measured after a full garbage collection once a warm-up round has filled its caches and
 * compiled its code, and again after each measured round.
 *
 * The bound is a fixed slack plus a small allowance per measured case. The slack covers what legitimately moves
 * between two collections (code compiled late, pooled connections, the sandbox emulator's in-memory record of the
 * orders and login codes it saw, which a live server does not have); a healthy run moves by under 1 MiB. A leak
 * keeps something per request or per socket: a Koa context with its request and response is several KB, a
 * WebSocket with its buffers and listeners tens of KB, a forgotten subscription its closures and hub listener. At
 * these figures a leak of 10 KB a case fails the CI run (480 measured cases) and one of 0.7 KB a case the full run
 * (12,000). A correctness bound on a leak, not a speed test: nothing is timed.
 */
const SLACK = 4 * 1024 * 1024;
const PER_CASE_ALLOWANCE = 256;
const MEASURED_ROUNDS = 3;

/** Cases per target per round: 40 in CI; a tenth of FUZZ_CASES (at most 1,000) in a larger run. */
function roundCases(): number {
  const { cases } = fuzzSettings();
  return cases === undefined ? 40 : Math.min(1_000, Math.max(20, Math.floor(cases / 10)));
}

/** Jest timeout: generous (cases take milliseconds), so that only a stuck run reaches it. */
const TIMEOUT_MS = 120_000 + (MEASURED_ROUNDS + 1) * 4 * roundCases() * 500;

const fixture = useFuzzServer();

describe('fuzz: bounded memory', () => {
  it(
    'does not grow the heap with the number of hostile requests and sockets it handled',
    async () => {
      const ws = await wsTarget(fixture.server);
      const targets: FuzzTarget<any>[] = [
        await notifyTarget(fixture.server),
        await ordersTarget(fixture.server),
        sessionTarget(fixture.server),
        ws,
      ];
      const perRound = roundCases();
      const failures = new Map<FuzzTarget<any>, FuzzFailure[]>();
      // Each round runs new cases: round r is case indices r×perRound … (r+1)×perRound−1 of every target.
      const round = async (r: number) => {
        for (const target of targets) {
          const found = await runCases(target, r * perRound, perRound);
          if (found.length > 0) failures.set(target, [...(failures.get(target) ?? []), ...found]);
        }
      };
      try {
        await round(0);
        const baseline = await heapAfterGc();
        const heaps = [baseline];
        for (let r = 1; r <= MEASURED_ROUNDS; r++) {
          await round(r);
          heaps.push(await heapAfterGc());
        }
        const measured = MEASURED_ROUNDS * perRound * targets.length;
        const bound = SLACK + measured * PER_CASE_ALLOWANCE;
        const growth = (heaps.at(-1) as number) - baseline;
        process.stdout.write(
          `fuzz memory: ${measured} measured cases (${perRound} per target per round), heap after GC ` +
            `${heaps.map(mib).join(' → ')}, growth ${mib(growth)} (bound ${mib(bound)})\n`,
        );
        expect(growth).toBeLessThan(bound);
      } finally {
        await ws.close();
      }
      // Cases that broke a target's own oracle on the way are failures too (replayable in the target's file).
      const reports = [...failures].map(([target, found]) =>
        describeFailures({
          target: target.name,
          testFile: target.testFile,
          seed: fuzzSettings().seed,
          cases: perRound * (MEASURED_ROUNDS + 1),
          failures: found,
        }),
      );
      if (reports.length > 0) throw new Error(reports.join('\n\n'));
    },
    TIMEOUT_MS,
  );
});
