import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, then the heap in use. Uses `global.gc` when node runs with --expose-gc (as
 * `npm run test:fuzz:full` and the `fuzz` step of `npm test` run jest); otherwise turns the flag on at runtime
 * and takes `gc` from a fresh context, which V8 supports for exactly this.
 */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export async function heapAfterGc(): Promise<number> {
  const gc = collector();
  // Twice, with a turn of the event loop between: closed sockets and finished requests release what they hold
  // in callbacks that run after the first collection.
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  gc();
  return process.memoryUsage().heapUsed;
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
