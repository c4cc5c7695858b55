import { createCircuitBreaker } from '../../../../server/src/inference/router';

describe('circuit breaker', () => {
  let clock: number;
  const make = () => createCircuitBreaker({ failureThreshold: 3, openMs: 1_000, now: () => clock });
  beforeEach(() => {
    clock = 0;
  });

  it('opens after the threshold of consecutive failures and rejects while open', () => {
    const breaker = make();
    for (let i = 0; i < 2; i++) breaker.failure(breaker.tryAcquire());
    expect(breaker.state()).toBe('closed');
    breaker.failure(breaker.tryAcquire());
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toBe('rejected');
  });

  it('counts only consecutive failures: a success resets the count', () => {
    const breaker = make();
    breaker.failure(breaker.tryAcquire());
    breaker.failure(breaker.tryAcquire());
    breaker.success(breaker.tryAcquire());
    breaker.failure(breaker.tryAcquire());
    breaker.failure(breaker.tryAcquire());
    expect(breaker.state()).toBe('closed');
  });

  it('ignores neutral results (4xx, caller aborts)', () => {
    const breaker = make();
    for (let i = 0; i < 10; i++) breaker.neutral(breaker.tryAcquire());
    expect(breaker.state()).toBe('closed');
  });

  it('half-opens after openMs and admits exactly one trial at a time', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.failure(breaker.tryAcquire());
    clock = 999;
    expect(breaker.tryAcquire()).toBe('rejected');
    clock = 1_000;
    expect(breaker.state()).toBe('half_open');
    const trial = breaker.tryAcquire();
    expect(trial).toBe('trial');
    expect(breaker.tryAcquire()).toBe('rejected');
    breaker.success(trial);
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toBe('allowed');
  });

  it('re-opens for another openMs when the trial fails', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.failure(breaker.tryAcquire());
    clock = 1_500;
    breaker.failure(breaker.tryAcquire());
    expect(breaker.state()).toBe('open');
    clock = 2_499;
    expect(breaker.tryAcquire()).toBe('rejected');
    clock = 2_500;
    expect(breaker.tryAcquire()).toBe('trial');
  });

  it('lets another caller try when the trial ends neutral', () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) breaker.failure(breaker.tryAcquire());
    clock = 1_000;
    breaker.neutral(breaker.tryAcquire());
    expect(breaker.tryAcquire()).toBe('trial');
  });

  it('does not extend an open period for late failures of calls admitted before it opened', () => {
    const breaker = make();
    const inFlight = breaker.tryAcquire();
    for (let i = 0; i < 3; i++) breaker.failure(breaker.tryAcquire());
    clock = 900;
    breaker.failure(inFlight);
    clock = 1_000;
    expect(breaker.state()).toBe('half_open');
  });

  it('defaults to 5 failures and 30 s', () => {
    const breaker = createCircuitBreaker({ now: () => clock });
    for (let i = 0; i < 4; i++) breaker.failure(breaker.tryAcquire());
    expect(breaker.state()).toBe('closed');
    breaker.failure(breaker.tryAcquire());
    clock = 29_999;
    expect(breaker.state()).toBe('open');
    clock = 30_000;
    expect(breaker.state()).toBe('half_open');
  });
});
