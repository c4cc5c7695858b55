/** Gives back a slot taken from a {@link Semaphore}. Idempotent. */
export type Release = () => void;

/** A counting semaphore with a FIFO queue: at most `limit` holders at a time. */
export interface Semaphore {
  /**
   * Resolves with a release function once a slot is free, in arrival order. Rejects with `signal.reason` if the
   * signal aborts while waiting (the waiter leaves the queue and takes no slot).
   */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Slots held right now. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly waiting: number;
}

/** Creates a semaphore allowing `limit` (≥ 1) concurrent holders. */
export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`semaphore limit must be ≥ 1, got ${limit}`);
  let active = 0;
  const queue: Array<() => void> = [];

  const releaser = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = queue.shift();
      if (next) next();
      else active--;
    };
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (active < limit) {
        active++;
        return Promise.resolve(releaser());
      }
      return new Promise<Release>((resolve, reject) => {
        const onAbort = () => {
          const i = queue.indexOf(grant);
          if (i >= 0) queue.splice(i, 1);
          reject(signal?.reason);
        };
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaser());
        };
        queue.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
