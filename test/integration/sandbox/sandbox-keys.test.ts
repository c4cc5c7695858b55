import { sign, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadOrCreateSandboxKeys, SANDBOX_KEY_FILES } from '../../../server/src/sandbox/index.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tokentill-keys-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('sandbox keys', () => {
  it('generates keys on first load and reuses them on the next', async () => {
    const dir = path.join(root, 'keys');
    const first = await loadOrCreateSandboxKeys(dir);
    const second = await loadOrCreateSandboxKeys(dir);

    expect(first.appid).toMatch(/^wx[0-9a-f]{16}$/);
    expect(first.mchid).toMatch(/^\d{10}$/);
    expect(first.merchantSerial).toMatch(/^[0-9A-F]{40}$/);
    expect(first.publicKeyId).toMatch(/^PUB_KEY_ID_\d{32}$/);
    expect(first.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(first.appSecret).toMatch(/^[0-9a-f]{32}$/);
    for (const field of [
      'appid',
      'appSecret',
      'mchid',
      'merchantSerial',
      'publicKeyId',
      'apiV3Key',
      'identitySecret',
      'merchantPrivateKeyPem',
      'wechatpayPublicKeyPem',
    ] as const) {
      expect(second[field]).toBe(first[field]);
    }
    // The files are the keys: a signature by the PEM private key verifies with the PEM public key.
    const merchantPem = await readFile(path.join(dir, SANDBOX_KEY_FILES.merchantPrivateKey), 'utf8');
    expect(merchantPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const pubKeyPem = await readFile(path.join(dir, SANDBOX_KEY_FILES.wechatpayPublicKey), 'utf8');
    const signature = sign('sha256', Buffer.from('probe'), second.wechatpayPrivateKey);
    expect(verify('sha256', Buffer.from('probe'), pubKeyPem, signature)).toBe(true);
  });

  it('writes private material with mode 0600 and the directory with 0700', async () => {
    const dir = path.join(root, 'keys');
    const keys = await loadOrCreateSandboxKeys(dir);
    const mode = async (file: string) => (await stat(file)).mode & 0o777;
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(keys.files!.manifest)).toBe(0o600);
    expect(await mode(keys.files!.merchantPrivateKey)).toBe(0o600);
    expect(await mode(keys.files!.wechatpayPrivateKey)).toBe(0o600);
    expect(await mode(keys.files!.wechatpayPublicKey)).toBe(0o644);
  });

  it('agrees on one set of keys when several loads race on an empty directory', async () => {
    const dir = path.join(root, 'race');
    const loads = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateSandboxKeys(dir)));
    expect(new Set(loads.map((k) => k.merchantSerial)).size).toBe(1);
    expect(new Set(loads.map((k) => k.merchantPrivateKeyPem)).size).toBe(1);
    const onDisk = await readFile(path.join(dir, SANDBOX_KEY_FILES.merchantPrivateKey), 'utf8');
    expect(onDisk).toBe(loads[0]!.merchantPrivateKeyPem);
  });

  it('restores a deleted key file from the manifest', async () => {
    const dir = path.join(root, 'keys');
    const keys = await loadOrCreateSandboxKeys(dir);
    await rm(keys.files!.wechatpayPublicKey);
    await loadOrCreateSandboxKeys(dir);
    expect(await readFile(keys.files!.wechatpayPublicKey, 'utf8')).toBe(keys.wechatpayPublicKeyPem);
  });

  it('refuses a corrupted manifest with a hint to regenerate', async () => {
    const dir = path.join(root, 'keys');
    const keys = await loadOrCreateSandboxKeys(dir);
    await writeFile(keys.files!.manifest, JSON.stringify({ version: 1, appid: 'nope' }));
    await expect(loadOrCreateSandboxKeys(dir)).rejects.toThrow(/delete .* to regenerate/);
  });
});
