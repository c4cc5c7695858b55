/**
 * The sandbox's credentials: a merchant (RSA key pair, certificate serial, mchid, APIv3 key), the WeChat Pay
 * platform key in public-key mode (`PUB_KEY_ID_…` + `pub_key.pem`), and a Mini Program (appid, appsecret).
 * Generated once into a directory and reused, so orders, openids and configured key files survive restarts and are
 * shared by every process pointed at the same directory.
 *
 * Platform-certificate mode is not generated: node:crypto cannot create X.509 certificates and the sandbox does
 * not shell out to openssl. New merchants only get public-key mode anyway (see the protocol reference §2.3).
 */
import { createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { loadPrivateKey } from '../payment/index.js';
import { createFileExclusive, writeFileAtomic } from './atomic-file.js';
import { randomAlnum, randomDigits } from './sandbox-ids.js';

/** `<repo root>/.sandbox` (git-ignored); the same from `server/src/sandbox` and `server/dist/sandbox`. */
export const DEFAULT_SANDBOX_KEYS_DIR = path.resolve(__dirname, '..', '..', '..', '.sandbox');

/** File names inside the keys directory. */
export const SANDBOX_KEY_FILES = Object.freeze({
  /** The source of truth: every value and both private keys (0600). The PEM files below are derived from it. */
  manifest: 'sandbox-keys.json',
  /** Merchant API private key, PKCS#8 (0600): `WXPAY_MERCHANT_KEY_FILE`. */
  merchantPrivateKey: 'apiclient_key.pem',
  /** Merchant API public key, SPKI: what WeChat Pay (the emulator) verifies requests with. */
  merchantPublicKey: 'apiclient_pub.pem',
  /** WeChat Pay public key, SPKI: `WXPAY_PUBLIC_KEY_FILE`. */
  wechatpayPublicKey: 'pub_key.pem',
  /** WeChat Pay platform private key, PKCS#8 (0600): only the emulator signs with it. */
  wechatpayPrivateKey: 'wechatpay_private_key.pem',
});

/** Everything the emulator and a sandboxed server need. Private material: never log or serve it. */
export interface SandboxKeys {
  /** Mini Program appid: `wx` + 16 hex characters. */
  appid: string;
  /** Mini Program AppSecret: 32 hex characters. */
  appSecret: string;
  /** Merchant id: 10 digits. */
  mchid: string;
  /** Merchant API certificate serial (`serial_no` in Authorization): 40 uppercase hex characters. */
  merchantSerial: string;
  merchantPrivateKey: KeyObject;
  merchantPublicKey: KeyObject;
  /** PKCS#8 PEM of {@link merchantPrivateKey}. */
  merchantPrivateKeyPem: string;
  /** WeChat Pay public key id: `PUB_KEY_ID_` + 32 digits. */
  publicKeyId: string;
  /** WeChat Pay platform private key (the emulator signs responses and notifications with it). */
  wechatpayPrivateKey: KeyObject;
  wechatpayPublicKey: KeyObject;
  /** SPKI PEM of {@link wechatpayPublicKey}, as a merchant downloads `pub_key.pem`. */
  wechatpayPublicKeyPem: string;
  /** APIv3 key: 32 characters of `[A-Za-z0-9]`. */
  apiV3Key: string;
  /** Secret the emulator derives openids from, so a test identity keeps its openid across restarts. */
  identitySecret: string;
  /** Where the keys live on disk; absent for {@link generateSandboxKeys} keys. */
  files?: SandboxKeyFiles;
}

/** Absolute paths of the files in a keys directory. */
export type SandboxKeyFiles = { dir: string } & { [K in keyof typeof SANDBOX_KEY_FILES]: string };

/** What `sandbox-keys.json` holds (version 1). */
interface Manifest {
  version: 1;
  createdAt: string;
  appid: string;
  appSecret: string;
  mchid: string;
  merchantSerial: string;
  publicKeyId: string;
  apiV3Key: string;
  identitySecret: string;
  merchantPrivateKeyPem: string;
  wechatpayPrivateKeyPem: string;
}

const MANIFEST_FIELDS: Record<Exclude<keyof Manifest, 'version'>, RegExp> = {
  createdAt: /^\S+$/,
  appid: /^wx[0-9a-f]{16}$/,
  appSecret: /^[0-9a-f]{32}$/,
  mchid: /^[1-9]\d{9}$/,
  merchantSerial: /^[0-9A-F]{40}$/,
  publicKeyId: /^PUB_KEY_ID_\d{32}$/,
  apiV3Key: /^[A-Za-z0-9]{32}$/,
  identitySecret: /^[0-9a-f]{64}$/,
  merchantPrivateKeyPem: /^-----BEGIN PRIVATE KEY-----/,
  wechatpayPrivateKeyPem: /^-----BEGIN PRIVATE KEY-----/,
};

const generateRsa = promisify(generateKeyPair);

async function newPrivateKeyPem(): Promise<string> {
  // RSA-2048, the size WeChat Pay issues; PKCS#8 like the apiclient_key.pem merchants download.
  const { privateKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return privateKey;
}

async function newManifest(): Promise<Manifest> {
  const [merchantPrivateKeyPem, wechatpayPrivateKeyPem] = await Promise.all([
    newPrivateKeyPem(),
    newPrivateKeyPem(),
  ]);
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    appid: `wx${randomBytes(8).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    mchid: `1${randomDigits(9)}`,
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    publicKeyId: `PUB_KEY_ID_${randomDigits(32)}`,
    apiV3Key: randomAlnum(32),
    identitySecret: randomBytes(32).toString('hex'),
    merchantPrivateKeyPem,
    wechatpayPrivateKeyPem,
  };
}

function publicPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

function keysFromManifest(manifest: Manifest, files?: SandboxKeyFiles): SandboxKeys {
  const merchantPrivateKey = loadPrivateKey(manifest.merchantPrivateKeyPem);
  const wechatpayPrivateKey = loadPrivateKey(manifest.wechatpayPrivateKeyPem);
  const wechatpayPublicKeyPem = publicPem(wechatpayPrivateKey);
  return {
    appid: manifest.appid,
    appSecret: manifest.appSecret,
    mchid: manifest.mchid,
    merchantSerial: manifest.merchantSerial,
    merchantPrivateKey,
    merchantPublicKey: createPublicKey(merchantPrivateKey),
    merchantPrivateKeyPem: manifest.merchantPrivateKeyPem,
    publicKeyId: manifest.publicKeyId,
    wechatpayPrivateKey,
    wechatpayPublicKey: createPublicKey(wechatpayPrivateKey),
    wechatpayPublicKeyPem,
    apiV3Key: manifest.apiV3Key,
    identitySecret: manifest.identitySecret,
    ...(files ? { files } : {}),
  };
}

function parseManifest(text: string, file: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SyntaxError(`${file} is not JSON`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (record['version'] !== 1) throw new Error(`${file}: unsupported version ${String(record['version'])}`);
  for (const [field, shape] of Object.entries(MANIFEST_FIELDS)) {
    const fieldValue = record[field];
    if (typeof fieldValue !== 'string' || !shape.test(fieldValue)) {
      throw new Error(`${file}: field "${field}" is missing or malformed`);
    }
  }
  return record as unknown as Manifest;
}

/** Generates a fresh set of sandbox keys in memory (nothing is written). About 0.1–0.5 s of CPU. */
export async function generateSandboxKeys(): Promise<SandboxKeys> {
  return keysFromManifest(await newManifest());
}

/**
 * Loads the sandbox keys from `dir`, generating them on first use.
 *
 * Safe when several processes start at once: the manifest is created with an exclusive link, so exactly one
 * generation wins and every process loads that one. The PEM files are then (re)written from the manifest with
 * atomic renames, only when missing or different, so they always match it.
 *
 * @param dir the keys directory (created with mode 0700 if missing). Default {@link DEFAULT_SANDBOX_KEYS_DIR}.
 * @throws Error when the manifest exists but is malformed; delete the directory to start over.
 */
export async function loadOrCreateSandboxKeys(dir: string = DEFAULT_SANDBOX_KEYS_DIR): Promise<SandboxKeys> {
  const root = path.resolve(dir);
  const files = Object.fromEntries(
    Object.entries(SANDBOX_KEY_FILES).map(([key, name]) => [key, path.join(root, name)]),
  ) as Omit<SandboxKeyFiles, 'dir'>;
  const keyFiles: SandboxKeyFiles = { dir: root, ...files };
  await mkdir(root, { recursive: true, mode: 0o700 });

  const manifest = (await readManifest(files.manifest)) ?? (await createManifest(files.manifest));
  let keys: SandboxKeys;
  try {
    keys = keysFromManifest(manifest, keyFiles);
  } catch (err) {
    throw new Error(
      `${files.manifest} holds an unusable key (${(err as Error).message}); delete ${root} to regenerate`,
    );
  }
  await Promise.all([
    ensureFile(files.merchantPrivateKey, manifest.merchantPrivateKeyPem, 0o600),
    ensureFile(files.merchantPublicKey, publicPem(keys.merchantPrivateKey), 0o644),
    ensureFile(files.wechatpayPublicKey, keys.wechatpayPublicKeyPem, 0o644),
    ensureFile(files.wechatpayPrivateKey, manifest.wechatpayPrivateKeyPem, 0o600),
  ]);
  return keys;
}

async function createManifest(file: string): Promise<Manifest> {
  const fresh = await newManifest();
  if (await createFileExclusive(file, `${JSON.stringify(fresh, null, 2)}\n`, 0o600)) return fresh;
  // Another process won the race: use its keys, or the two would sign with different ones.
  const winner = await readManifest(file);
  if (winner === undefined) throw new Error(`${file} vanished while being created`);
  return winner;
}

/** Reads the manifest, or `undefined` when there is none yet. */
async function readManifest(file: string): Promise<Manifest | undefined> {
  // A few retries cover the non-link fallback of createFileExclusive, where a reader can catch a partial write.
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return parseManifest(text, file);
    } catch (err) {
      if (!(err instanceof SyntaxError) || attempt >= 5) {
        throw new Error(
          `${(err as Error).message}; delete ${path.dirname(file)} to regenerate the sandbox keys`,
        );
      }
      await sleep(50);
    }
  }
}

async function ensureFile(file: string, content: string, mode: number): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current !== content) await writeFileAtomic(file, content, mode);
}
