import { randomBytes } from 'node:crypto';
import { redisScripts, type Redis } from '../redis/index.js';

export interface SingleFlightOptions {
  /** Longest the task may take; a claim whose holder died lapses after this. */
  holdMs: number;
  /** How long the claim outlives the task: the next run starts at least this long after this one ended. */
  spacingMs: number;
}

export type SingleFlightResult<T> = { ran: true; value: T } | { ran: false };

export interface SingleFlight {
  /**
   * Runs `task` unless another caller, on any instance, holds `key`: that one is in flight or ended less than
   * `spacingMs` ago. A caller that does not run gets `{ ran: false }` at once and never waits.
   */
  run<T>(key: string, options: SingleFlightOptions, task: () => Promise<T>): Promise<SingleFlightResult<T>>;
}

/** A short Redis claim (SET NX PX with a random token), handed back through a compare-and-set script. */
export function createSingleFlight(redis: Redis): SingleFlight {
  const scripts = redisScripts(redis);
  return {
    async run(key, options, task) {
      const token = randomBytes(12).toString('base64url');
      if ((await redis.set(key, token, 'PX', options.holdMs, 'NX')) !== 'OK') return { ran: false };
      try {
        return { ran: true, value: await task() };
      } finally {
        // If this fails the claim still lapses by itself after holdMs: never fail the task's caller for it.
        await scripts.run('settleClaim', [key], [token, options.spacingMs]).catch(() => undefined);
      }
    },
  };
}
