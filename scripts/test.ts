/**
 * `npm test`: everything CI checks, in order, failing fast. Run a subset with `npm test -- <step> ...`
 * (steps: lint, typecheck, build, unit, integration, e2e, fuzz, miniprogram, browser).
 */
import { elapsed, run } from './lib/run';

const npx = (...args: string[]) => ['npx', args] as const;
const npm = (...args: string[]) => ['npm', args] as const;

const STEPS: Record<string, readonly (readonly [string, string[]])[]> = {
  lint: [npx('eslint', '.'), npx('prettier', '--check', '.'), npx('tsx', 'scripts/check-cycles.ts')],
  typecheck: [npx('tsc', '-p', 'tsconfig.json', '--noEmit'), npm('run', 'typecheck', '-w', 'miniprogram')],
  build: [
    npm('run', 'build', '-w', 'shared-types'),
    npm('run', 'build', '-w', 'server'),
    npm('run', 'build:weapp', '-w', 'miniprogram'),
    npm('run', 'build:h5', '-w', 'miniprogram'),
  ],
  unit: [npx('jest', '--selectProjects', 'unit', '--ci')],
  // Integration and e2e tests share one Redis and start processes: run them one file at a time.
  integration: [npx('jest', '--selectProjects', 'integration', '--ci', '--runInBand')],
  e2e: [npx('jest', '--selectProjects', 'e2e', '--ci', '--runInBand')],
  // Seeded fuzzing of every outside entry point (FUZZ_SEED, FUZZ_CASES); --expose-gc for its bounded-memory check.
  fuzz: [
    ['node', ['--expose-gc', 'node_modules/.bin/jest', '--selectProjects', 'fuzz', '--ci', '--runInBand']],
  ],
  // After `build`: includes the weapp bundle-size budget.
  miniprogram: [npx('jest', '--selectProjects', 'miniprogram', '--ci')],
  // After `build`: the H5 app in headless Chromium against the real server.
  browser: [npx('jest', '--selectProjects', 'browser', '--ci', '--runInBand')],
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((s) => !(s in STEPS));
  if (unknown.length > 0) {
    console.error(`unknown step(s): ${unknown.join(', ')}; known: ${Object.keys(STEPS).join(', ')}`);
    process.exit(2);
  }
  const steps = requested.length > 0 ? requested : Object.keys(STEPS);
  const began = performance.now();
  for (const step of steps) {
    const stepStart = performance.now();
    console.log(`\n▶ ${step}`);
    for (const [command, args] of STEPS[step] ?? []) {
      const code = await run(command, args);
      if (code !== 0) {
        console.error(
          `\n✖ ${step} failed: \`${command} ${args.join(' ')}\` exited ${code} (${elapsed(stepStart)})`,
        );
        process.exit(code);
      }
    }
    console.log(`✔ ${step} (${elapsed(stepStart)})`);
  }
  console.log(`\nAll ${steps.length} steps passed in ${elapsed(began)}: ${steps.join(', ')}.`);
}

void main();
