/**
 * Owns the emulator's background work (scheduled notification attempts, refund settlements, requests in flight)
 * so that `close()` can stop all of it and tests can wait until it has all finished.
 */

/** Background work owned by one emulator. */
export interface TimerScope {
  /** Runs `task` after `ms` milliseconds unless the scope is closed first. Errors go to `onError`. */
  after(ms: number, task: () => Promise<void> | void): void;
  /** Counts `promise` as pending work until it settles. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Resolves once no timer is scheduled and no tracked promise is pending (immediately if idle). */
  idle(): Promise<void>;
  /** Aborted by {@link close}: pass it to requests so they stop too. */
  readonly signal: AbortSignal;
  readonly closed: boolean;
  /** Cancels every timer, aborts {@link signal} and waits for tracked work to settle. Idempotent. */
  close(): Promise<void>;
}

/** Creates a scope; `onError` receives errors thrown by scheduled tasks (never rethrown). */
export function createTimerScope(onError: (err: unknown) => void): TimerScope {
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let waiters: (() => void)[] = [];
  const controller = new AbortController();
  let closing: Promise<void> | undefined;

  const settleWaiters = () => {
    if (timers.size > 0 || inFlight.size > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    const done = () => {
      inFlight.delete(promise);
      settleWaiters();
    };
    promise.then(done, done);
    return promise;
  };

  return {
    signal: controller.signal,
    get closed() {
      return closing !== undefined;
    },
    after(ms, task) {
      if (closing) return;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          // Tracked before the timer's slot is released, so idle() never sees a gap between the two.
          track(
            Promise.resolve()
              .then(task)
              .catch((err: unknown) => onError(err)),
          );
          settleWaiters();
        },
        Math.max(0, ms),
      );
      // Pending notifications must not keep a process alive that is otherwise done (close() is the clean way).
      timer.unref();
      timers.add(timer);
    },
    track,
    idle() {
      if (timers.size === 0 && inFlight.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        controller.abort();
        await Promise.allSettled([...inFlight]);
        settleWaiters();
      })();
      return closing;
    },
  };
}
