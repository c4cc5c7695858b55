import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the official test vectors live (copied into the repo from the reference pack). */
export const VECTORS_DIR = path.join(__dirname, '../../../fixtures/wxpay-vectors');

export interface AesVector {
  id: string;
  alg: string;
  key: string;
  nonce: string;
  aad: string;
  ciphertext_b64: string;
  plaintext?: string;
  plaintext_file?: string;
}

export interface RsaSignVector {
  id: string;
  key_file: string;
  message: string;
  signature: string;
}

export interface RsaVerifyVector {
  id: string;
  pubkey_file?: string;
  cert_file?: string;
  serial?: string;
  timestamp: string;
  nonce: string;
  body: string;
  signature: string;
  expect: boolean;
  apiv3_key?: string;
}

export interface Vectors {
  aes_gcm: AesVector[];
  rsa_sign: RsaSignVector[];
  rsa_verify: RsaVerifyVector[];
  v2: { id: string }[];
}

export const vectors = JSON.parse(readFileSync(path.join(VECTORS_DIR, 'vectors.json'), 'utf8')) as Vectors;

/** Reads a file beside vectors.json. */
export function fixture(name: string): string {
  return readFileSync(path.join(VECTORS_DIR, name), 'utf8');
}

/** The short id of a vector: `VER-3-DERIVED (generated …)` → `VER-3`. */
export function shortId(id: string): string {
  return /^[A-Z0-9]+-\d+/.exec(id)?.[0] ?? id;
}

/** Finds a vector by short id (`AES-7`, `RSA-5`, `VER-1`) in a group; throws when absent. */
export function vector<T extends { id: string }>(group: readonly T[], id: string): T {
  const found = group.find((v) => shortId(v.id) === id);
  if (!found) throw new Error(`Vector ${id} not found in vectors.json`);
  return found;
}

/** Reads a PEM beside this helper (test/unit/payment/support). */
export function supportFile(name: string): string {
  return readFileSync(path.join(__dirname, name), 'utf8');
}
