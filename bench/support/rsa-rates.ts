/**
 * RSA-2048 for bench/order-create.ts: the machine's signing and verification rates with the merchant key, and a
 * count of the node:crypto sign/verify calls a piece of work makes.
 */
import crypto, { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signSha256Rsa, signSha256RsaAsync, verifySha256Rsa } from '../../server/src/payment';
import type { Checks } from './checks';
import { cpuNowUs } from './cost';

export interface RsaRates {
  /** One thread, crypto.sign: signatures per second of CPU, and µs each. */
  syncSignPerSec: number;
  syncSignUs: number;
  /** signSha256RsaAsync with 64 in flight (thread pool, all cores): signatures per wall second. */
  asyncSignPerSec: number;
  verifyPerSec: number;
  verifyUs: number;
}

/** RSA-2048 SHA256withRSA rates with the merchant key, on a message the size of a request's signing string. */
export async function measureRsa(
  key: crypto.KeyObject,
  publicKey: crypto.KeyObject,
  checks: Checks,
): Promise<RsaRates> {
  const message = `POST\n/v3/pay/transactions/jsapi\n${Math.floor(Date.now() / 1000)}\n${randomUUID()}\n${'x'.repeat(420)}\n`;
  // Sync: bounded by count and by 1.5 s.
  let n = 0;
  let t0 = performance.now();
  let c0 = cpuNowUs();
  let signature = '';
  while (n < 3_000 && performance.now() - t0 < 1_500) {
    signature = signSha256Rsa(message, key);
    n++;
  }
  const syncSignUs = (cpuNowUs() - c0) / n;
  // Async, 64 in flight: what the server's code path can get out of the whole machine.
  let started = 0;
  let done = 0;
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (started < 6_000 && performance.now() - t0 < 2_500) {
        started++;
        await signSha256RsaAsync(message, key);
        done++;
      }
    }),
  );
  const asyncSignPerSec = done / ((performance.now() - t0) / 1000);
  // Verify, sync.
  n = 0;
  t0 = performance.now();
  c0 = cpuNowUs();
  let ok = 0;
  while (n < 30_000 && performance.now() - t0 < 1_000) {
    if (verifySha256Rsa(message, signature, publicKey)) ok++;
    n++;
  }
  const verifyUs = (cpuNowUs() - c0) / n;
  checks.check(ok === n, `RSA micro-benchmark: ${n - ok} of ${n} signatures did not verify`);
  return {
    syncSignPerSec: 1e6 / syncSignUs,
    syncSignUs,
    asyncSignPerSec,
    verifyPerSec: 1e6 / verifyUs,
    verifyUs,
  };
}

/** Counts node:crypto sign/verify calls (sync and callback forms) while `fn` runs. */
export async function countRsa<T>(
  fn: () => Promise<T>,
): Promise<{ signs: number; verifies: number; value: T }> {
  const mutable = crypto as unknown as Record<'sign' | 'verify', (...args: unknown[]) => unknown>;
  const { sign, verify } = mutable;
  let signs = 0;
  let verifies = 0;
  mutable.sign = (...args: unknown[]) => {
    signs++;
    return sign(...args);
  };
  mutable.verify = (...args: unknown[]) => {
    verifies++;
    return verify(...args);
  };
  try {
    const value = await fn();
    return { signs, verifies, value };
  } finally {
    mutable.sign = sign;
    mutable.verify = verify;
  }
}
