import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tokentill-sandbox-main-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
});

/** Reads JSON log lines from stdout until one matches. */
function waitForLog(proc: ChildProcess, match: (line: any) => boolean, timeoutMs = 20_000): Promise<any> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no matching log line; got:\n${buffer}`)), timeoutMs);
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (const line of buffer.split('\n')) {
        try {
          const parsed = JSON.parse(line);
          if (match(parsed)) {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        } catch {
          // a partial line: wait for more
        }
      }
    });
  });
}

describe('standalone sandbox (sandbox-main)', () => {
  it('listens where its flags say, logs the base URLs to configure, serves the emulator and stops on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'server/src/sandbox-main.ts',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--keys-dir',
        path.join(dir, 'keys'),
        '--notify-scale',
        '0.001',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const ready = await waitForLog(child, (line) => typeof line.WXPAY_API_BASE === 'string');
    expect(ready.WXPAY_API_BASE).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/wxpay$/);
    expect(ready.WECHAT_API_BASE).toBe(ready.WXPAY_API_BASE.replace(/wxpay$/, 'wechat'));
    expect(ready.keyFiles.merchantPrivateKey).toBe(path.join(dir, 'keys', 'apiclient_key.pem'));
    expect(JSON.stringify(ready)).not.toMatch(/PRIVATE KEY|apiV3Key|appSecret/);

    const index = await fetch(`${ready.url}/sandbox/`);
    expect(index.status).toBe(200);
    expect(((await index.json()) as any).merchant.mchid).toBe(ready.mchid);
    expect((await fetch(`${ready.url}/elsewhere`)).status).toBe(404);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 30_000);

  it('exits with a usage error on a bad flag', async () => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/src/sandbox-main.ts', '--notify-scale', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = await once(proc, 'exit');
    expect(code).toBe(64);
    expect(stderr).toContain('--notify-scale must be a positive number');
  }, 30_000);
});
