import { ConfigError, loadConfig, type Config } from './config.js';
import type { Logger } from './observability/logger.js';

/** EX_CONFIG from sysexits.h: the process refused to start because of its configuration. */
export const EXIT_CONFIG = 78;

/** Loads the configuration or exits with a message naming every bad setting. */
export function loadConfigOrExit(): Readonly<Config> {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

/** Runs `close` on the first SIGTERM/SIGINT and exits 0 (1 if closing failed); a second signal exits at once. */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** Reports a failure to start (anything but a config error) and exits 1. */
export function exitOnStartFailure(what: string) {
  return (err: unknown): never => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    process.stderr.write(`${what} failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  };
}
