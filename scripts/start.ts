/**
 * `npm start`: the whole product on its embedded defaults. Finds (or starts) a Redis, builds what is missing or
 * out of date, then runs the server in sandbox mode until Ctrl-C, stopping everything it started.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureRedis, type LocalRedis } from './lib/local-redis';
import { elapsed, run } from './lib/run';
import { isStale } from './lib/staleness';

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

  try {
    await buildMissing();
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await redis.stop();
    process.exit(1);
  }

  console.log(
    [
      '',
      '[start] WeChat DevTools: import the repository root (project.config.json points at miniprogram/dist/).',
      '[start] Sandbox mode: no WeChat credentials are set. See README "Going live" to switch to the real services.',
      '',
    ].join('\n'),
  );

  const server = spawn(process.execPath, [at('server/dist/main.js')], {
    stdio: 'inherit',
    env: { ...process.env, REDIS_URL: redis.url },
  });
  const forward = (signal: NodeJS.Signals) => {
    if (server.exitCode === null) server.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => server.once('exit', (c) => resolve(c ?? 0)));
  await redis.stop();
  process.exit(code);
}

void main();
