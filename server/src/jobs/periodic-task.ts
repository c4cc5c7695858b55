/**
 * A pass that runs again `intervalMs` after the previous one ended (never overlapping itself), from `start()`
 * until `stop()`, which waits for the pass in progress. A failed pass is reported and the next one runs as usual:
 * background work (the reconciler, ledger retention, bill reconciliation) retries by running again.
 */
export interface PeriodicTask {
  start(): void;
  /** Stops the loop and waits for the pass in progress. Idempotent. */
  stop(): Promise<void>;
}

export function runPeriodically(
  pass: () => Promise<unknown>,
  options: { intervalMs: number; onError: (err: unknown) => void },
): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = pass()
      .catch(options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  return {
    start() {
      if (timer || stopped) return;
      timer = setTimeout(tick, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
