import { AppError } from '../../../server/src/errors';
import { createRateLimiter, createSingleFlight } from '../../../server/src/limits';
import { useTestRedis } from '../../support/test-redis';

const { redis, prefix } = useTestRedis();

describe('fixed-window rate limiter', () => {
  const rule = { limit: 3, windowSeconds: 60, what: 'widgets' };

  /** A clock the test moves by hand: 25 s into the window that starts at minute 1000. */
  function clockAt(ms = 1_000 * 60_000 + 25_000) {
    const clock = { now: ms };
    return { clock, limiter: createRateLimiter(redis, () => clock.now) };
  }

  async function refusal(consume: () => Promise<void>): Promise<AppError> {
    try {
      await consume();
    } catch (err) {
      return err as AppError;
    }
    throw new Error('expected a refusal');
  }

  it('allows `limit` requests per window, then answers RATE_LIMITED with the seconds left as Retry-After', async () => {
    const { limiter } = clockAt();
    const keyFor = (window: number) => `${prefix}widgets:${window}`;
    for (let i = 0; i < 3; i++) await limiter.consume(rule, keyFor);
    const err = await refusal(() => limiter.consume(rule, keyFor));
    expect(err).toBeInstanceOf(AppError);
    expect([err.code, err.status]).toEqual(['RATE_LIMITED', 429]);
    expect(err.headers).toEqual({ 'Retry-After': '35' });
    expect(err.message).toBe('At most 3 widgets per minute; try again in 35 s.');
    // The counter cleans itself up.
    const ttl = await redis.ttl(keyFor(1000));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('starts every window afresh and counts each key on its own', async () => {
    const { clock, limiter } = clockAt();
    const mine = (window: number) => `${prefix}mine:${window}`;
    const theirs = (window: number) => `${prefix}theirs:${window}`;
    for (let i = 0; i < 3; i++) await limiter.consume(rule, mine);
    await expect(limiter.consume(rule, mine)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await limiter.consume(rule, theirs);
    clock.now += 35_000; // the next minute
    await limiter.consume(rule, mine);
  });

  it('never answers Retry-After 0, even in the last millisecond of a window', async () => {
    const { limiter } = clockAt(1_000 * 60_000 + 59_999);
    const keyFor = (window: number) => `${prefix}edge:${window}`;
    for (let i = 0; i < 3; i++) await limiter.consume(rule, keyFor);
    expect((await refusal(() => limiter.consume(rule, keyFor))).headers).toEqual({ 'Retry-After': '1' });
  });
});

describe('single-flight claim', () => {
  const singleFlight = () => createSingleFlight(redis);

  it('runs one task per key at a time: a second caller gets { ran: false } at once', async () => {
    const key = `${prefix}claim:busy`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = singleFlight().run(key, { holdMs: 60_000, spacingMs: 0 }, async () => {
      await gate;
      return 'first';
    });
    // The first claim is taken once its SET has answered; wait for it without a timer.
    while ((await redis.exists(key)) === 0) await new Promise((r) => setImmediate(r));
    const second = jest.fn(async () => 'second');
    expect(await singleFlight().run(key, { holdMs: 60_000, spacingMs: 0 }, second)).toEqual({ ran: false });
    expect(second).not.toHaveBeenCalled();
    release();
    expect(await first).toEqual({ ran: true, value: 'first' });
    // spacingMs 0: the claim is gone as soon as the task ended, and the next caller runs.
    expect(await redis.exists(key)).toBe(0);
    expect(await singleFlight().run(key, { holdMs: 60_000, spacingMs: 0 }, second)).toEqual({
      ran: true,
      value: 'second',
    });
  });

  it('keeps the claim spacingMs after the task, so the next run waits that long', async () => {
    const key = `${prefix}claim:spaced`;
    await singleFlight().run(key, { holdMs: 60_000, spacingMs: 5_000 }, async () => undefined);
    const pttl = await redis.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(5_000);
    const task = jest.fn(async () => undefined);
    expect(await singleFlight().run(key, { holdMs: 60_000, spacingMs: 5_000 }, task)).toEqual({ ran: false });
    expect(task).not.toHaveBeenCalled();
  });

  it('passes a failing task’s error on and still spaces the next run', async () => {
    const key = `${prefix}claim:failing`;
    const failing = singleFlight().run(key, { holdMs: 60_000, spacingMs: 5_000 }, async () => {
      throw new Error('upstream down');
    });
    await expect(failing).rejects.toThrow('upstream down');
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('leaves alone a claim that lapsed and was taken by another caller meanwhile', async () => {
    const key = `${prefix}claim:lapsed`;
    await singleFlight().run(key, { holdMs: 60_000, spacingMs: 0 }, async () => {
      // As if this task outlived holdMs and another instance claimed the key.
      await redis.set(key, 'another-holder', 'PX', 60_000);
    });
    expect(await redis.get(key)).toBe('another-holder');
    expect(await redis.pttl(key)).toBeGreaterThan(5_000);
  });
});
