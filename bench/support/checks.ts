/**
 * A benchmark's correctness checks and how it ends: failed checks are collected during the run, listed on stderr
 * at the end and turn into exit code 1; slow figures are reported by the benchmark itself, never fatal.
 */
export class Checks {
  readonly failures: string[] = [];

  check(ok: boolean, what: string): void {
    if (!ok) this.failures.push(what);
  }

  get passed(): boolean {
    return this.failures.length === 0;
  }

  /** "all passed" or "N FAILED", for the report's checks line. */
  get status(): string {
    return this.passed ? 'all passed' : `${this.failures.length} FAILED`;
  }

  /** The `checks` field of the JSON summary line. */
  summary(): { passed: boolean; failures: string[] } {
    return { passed: this.passed, failures: this.failures };
  }
}

/**
 * Runs a benchmark's `main`: once it has finished (and cleaned up), lists the failed checks and sets exit code 1;
 * an exception is printed and also exits 1.
 */
export function runBench(checks: Checks, main: () => Promise<void>): void {
  main().then(
    () => {
      if (checks.failures.length > 0) {
        for (const f of checks.failures) console.error(`CHECK FAILED: ${f}`);
        process.exitCode = 1;
      }
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
