/**
 * `npm start`: the whole product on its embedded defaults. Finds (or starts) a Redis and a PostgreSQL, builds
 * what is missing or out of date, migrates the ledger, then runs the server in sandbox mode until Ctrl-C,
 * stopping everything it started.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureRedis, type LocalRedis } from './lib/local-redis';
import { ensurePostgres, redactPassword, type LocalPostgres } from './lib/local-postgres';
import { elapsed, run } from './lib/run';
import { formatLogLine, lineSplitter } from './lib/log-lines';
import { isStale } from './lib/staleness';

interface Listening {
  url: string;
  app?: string;
  sandbox: boolean;
  wxpayApiBase: string;
  wechatApiBase: string;
  metricsUrl?: string;
}

/** What a newcomer needs once the server is up: where to look, what is simulated, how to go live. */
function banner(info: Listening): string {
  const lines = [
    '',
    '  TokenTill is running' +
      (info.sandbox ? ' in sandbox mode (no WeChat account or model key needed)' : ''),
    '',
    `  Open the app        ${info.app ?? `${info.url} (API; build the H5 app with npm run build:h5 -w miniprogram)`}`,
    "  WeChat DevTools     import this repository's root folder: project.config.json points at miniprogram/dist/",
    `  API                 ${info.url}  (health: /healthz)`,
    `  Metrics             ${info.metricsUrl ?? 'off (METRICS_PORT=9464 serves them on a private port)'}`,
  ];
  if (info.sandbox) {
    lines.push(
      '',
      '  Sandboxes in use (same wire protocols as the real services):',
      `    WeChat Pay        ${info.wxpayApiBase}   → real: set WXPAY_MCHID, WXPAY_MERCHANT_* and WXPAY_PUBLIC_KEY_*`,
      `    WeChat API        ${info.wechatApiBase}   → real: set WECHAT_APPID and WECHAT_APPSECRET`,
      `    Models            ${info.url}/sandbox/model/v1   → real: TOKENTILL_CONFIG=config/tokentill.example.json + API keys`,
      '    Every setting is in .env.example; README "Going live" walks through it.',
    );
  }
  lines.push('', '  Stop with Ctrl-C.', '');
  return lines.join('\n');
}

const ROOT = join(__dirname, '..');
const at = (...parts: string[]) => join(ROOT, ...parts);

interface BuildStep {
  name: string;
  output: string;
  sources: string[];
  args: string[];
}

const BUILDS: BuildStep[] = [
  {
    name: 'shared-types',
    output: at('shared-types/dist/index.js'),
    sources: [at('shared-types/src')],
    args: ['run', 'build', '-w', 'shared-types'],
  },
  {
    name: 'server',
    output: at('server/dist/main.js'),
    sources: [at('server/src'), at('shared-types/src')],
    args: ['run', 'build', '-w', 'server'],
  },
  {
    name: 'Mini Program (weapp)',
    output: at('miniprogram/dist/app.json'),
    sources: [at('miniprogram/src'), at('miniprogram/config')],
    args: ['run', 'build:weapp', '-w', 'miniprogram'],
  },
  {
    name: 'Mini Program (H5)',
    output: at('miniprogram/dist-h5/index.html'),
    sources: [at('miniprogram/src'), at('miniprogram/config')],
    args: ['run', 'build:h5', '-w', 'miniprogram'],
  },
];

async function buildMissing(): Promise<void> {
  for (const step of BUILDS) {
    if (!isStale(step.output, step.sources)) {
      console.log(`[start] ${step.name}: up to date`);
      continue;
    }
    const began = performance.now();
    console.log(`[start] building ${step.name}…`);
    const code = await run('npm', ['--silent', ...step.args]);
    if (code !== 0) throw new Error(`building ${step.name} failed (exit ${code})`);
    console.log(`[start] built ${step.name} in ${elapsed(began)}`);
  }
}

async function main(): Promise<void> {
  let redis: LocalRedis;
  try {
    redis = await ensureRedis();
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    process.exit(1);
  }
  if (redis.child)
    console.log(`[start] no Redis answered; started a private redis-server for this session at ${redis.url}`);
  else console.log(`[start] using the Redis at ${redis.url}`);

  let postgres: LocalPostgres;
  try {
    postgres = await ensurePostgres();
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await redis.stop();
    process.exit(1);
  }
  if (postgres.child)
    console.log(`[start] no PostgreSQL answered; started a private one for this session at ${postgres.url}`);
  else console.log(`[start] using the PostgreSQL at ${redactPassword(postgres.url)}`);
  const stopServices = async () => {
    await redis.stop();
    await postgres.stop();
  };

  try {
    await buildMissing();
    // The production command (`npm run migrate`), so the server finds its ledger schema current.
    const code = await run(process.execPath, [at('server/dist/ledger/migrate-main.js')], {
      ...process.env,
      DATABASE_URL: postgres.url,
    });
    if (code !== 0) throw new Error(`migrating the ledger failed (exit ${code})`);
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await stopServices();
    process.exit(1);
  }

  // Its own process group: a terminal's Ctrl-C reaches npm, tsx and this script, each of which may relay it.
  // The server gets exactly one signal, from here, and shuts down gracefully (a second one means "now").
  // The server runs live unless asked for the sandbox; `npm start` asks (an explicit SANDBOX=0 still wins).
  const server = spawn(process.execPath, [at('server/dist/main.js')], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      SANDBOX: process.env['SANDBOX'] || '1',
      REDIS_URL: redis.url,
      DATABASE_URL: postgres.url,
    },
  });
  // Raw JSON logs with LOG_FORMAT=json (for tools); readable lines otherwise.
  const raw = process.env['LOG_FORMAT'] === 'json';
  server.stdout.on(
    'data',
    lineSplitter((line) => {
      process.stdout.write(`${raw ? line : formatLogLine(line)}\n`);
      if (line.includes('listening on')) console.log(banner(JSON.parse(line) as Listening));
    }),
  );
  let forwarded = false;
  const forward = (signal: NodeJS.Signals) => {
    if (forwarded || server.exitCode !== null) return;
    forwarded = true;
    server.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => server.once('exit', (c) => resolve(c ?? 0)));
  await stopServices();
  process.exit(code);
}

void main();
