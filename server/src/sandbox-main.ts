/**
 * Runs the sandbox alone (no Redis, no API server), e.g. to point a server or a tool at it:
 *
 *   node server/dist/sandbox-main.js --port 4010 [--host 127.0.0.1] [--keys-dir .sandbox] [--notify-scale 1]
 *
 * Settings come from flags only: in server/src only config.ts reads the environment.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

import Koa from 'koa';

import { createLogger } from './observability/logger.js';
import {
  DEFAULT_SANDBOX_KEYS_DIR,
  WECHAT_SANDBOX_PREFIX,
  WXPAY_SANDBOX_PREFIX,
  createSandbox,
  loadOrCreateSandboxKeys,
} from './sandbox/index.js';

const USAGE = `Usage: node server/dist/sandbox-main.js [options]

  --port N            TCP port (default 0: any free port)
  --host H            interface to bind (default 127.0.0.1)
  --keys-dir D        sandbox keys directory, created on first start (default ${DEFAULT_SANDBOX_KEYS_DIR})
  --notify-scale F    factor on WeChat's notification retry schedule, e.g. 0.001 (default 1)
  --ack-timeout-ms N  how long a notify endpoint has to answer (default 5000)
  --log-level L       fatal | error | warn | info | debug | trace | silent (default info)
  --help              this text
`;

interface Flags {
  port: number;
  host: string;
  keysDir: string;
  notifyScale: number;
  ackTimeoutMs: number;
  logLevel: string;
}

/** Parses argv; throws Error with a usage-worthy message on bad input. */
function parseFlags(argv: string[]): Flags | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'keys-dir': { type: 'string', default: DEFAULT_SANDBOX_KEYS_DIR },
      'notify-scale': { type: 'string', default: '1' },
      'ack-timeout-ms': { type: 'string', default: '5000' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535, got ${values.port}`);
  const notifyScale = Number(values['notify-scale']);
  if (!(notifyScale > 0))
    throw new Error(`--notify-scale must be a positive number, got ${values['notify-scale']}`);
  const ackTimeoutMs = Number(values['ack-timeout-ms']);
  if (!Number.isInteger(ackTimeoutMs) || ackTimeoutMs < 1) {
    throw new Error(`--ack-timeout-ms must be a positive integer, got ${values['ack-timeout-ms']}`);
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(values['log-level']))
    throw new Error(`--log-level must be one of ${levels.join(', ')}`);
  return {
    port,
    host: values.host,
    keysDir: values['keys-dir'],
    notifyScale,
    ackTimeoutMs,
    logLevel: values['log-level'],
  };
}

async function main(): Promise<void> {
  let flags: Flags | 'help';
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(64); // EX_USAGE
  }
  if (flags === 'help') {
    process.stdout.write(USAGE);
    return;
  }

  const logger = createLogger({ level: flags.logLevel, name: 'tokentill-sandbox' });
  const keys = await loadOrCreateSandboxKeys(flags.keysDir);
  const sandbox = createSandbox({
    keys,
    notifyScale: flags.notifyScale,
    ackTimeoutMs: flags.ackTimeoutMs,
    logger,
  });
  const app = new Koa();
  app.use(sandbox.middleware);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { code: 'NOT_FOUND', message: 'Only /sandbox/ paths are served here' };
  });
  app.on('error', (err: unknown) => logger.error({ err }, 'sandbox request failed'));

  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(flags.port, flags.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
  const origin = `http://${host}:${port}`;
  // The values a server needs to use this sandbox; file paths, never secrets (those are in the manifest file).
  logger.info(
    {
      url: origin,
      WXPAY_API_BASE: `${origin}${WXPAY_SANDBOX_PREFIX}`,
      WECHAT_API_BASE: `${origin}${WECHAT_SANDBOX_PREFIX}`,
      appid: keys.appid,
      mchid: keys.mchid,
      merchantSerial: keys.merchantSerial,
      publicKeyId: keys.publicKeyId,
      keyFiles: keys.files,
      notifyScale: flags.notifyScale,
    },
    `TokenTill sandbox listening on ${origin}: WXPAY_API_BASE=${origin}${WXPAY_SANDBOX_PREFIX} ` +
      `WECHAT_API_BASE=${origin}${WECHAT_SANDBOX_PREFIX}`,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'sandbox shutting down');
    server.close();
    server.closeIdleConnections();
    sandbox
      .close()
      .then(() => {
        // Keep-alive clients (the server's fetch pool) would otherwise hold the process open.
        server.closeAllConnections();
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'sandbox shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `TokenTill sandbox failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
