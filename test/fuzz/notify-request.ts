import { randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { newOrderId } from '../../server/src/orders/order-id';
import { encryptAeadAes256Gcm, formatRfc3339Beijing, generateNonce } from '../../server/src/payment';
import { buildNesting, buildText } from './hostile-values';
import type {
  BodyMutation,
  BodyRecipe,
  ContentMutation,
  ContentValue,
  HeaderMutation,
  NotifyCase,
  SigningHeader,
} from './notify-cases';
import { utf8AsHeaderValue, type RawHeader } from './raw-http';

/** What signs and encrypts like WeChat Pay: the sandbox's platform key and APIv3 key, and the merchant ids. */
export interface WechatPayIdentity {
  appid: string;
  mchid: string;
  apiV3Key: string;
  publicKeyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** The order a case aims at, and what the pool knows. */
export interface NotifyTarget {
  id: string;
  priceFen: number;
  /** Some earlier order of ours (or the target itself when there is none yet). */
  earlier(pick: number): string;
}

export interface BuiltNotification {
  headers: RawHeader[];
  body: Buffer;
  /** The genuine transaction for the target, before any content mutation. */
  genuine: Record<string, unknown>;
  /** The transaction that was encrypted (the genuine one, or its mutation for a content case). */
  resource: Record<string, unknown>;
}

const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';

/** The transaction WeChat Pay reports when the target order is paid. */
export function genuineTransaction(
  who: WechatPayIdentity,
  target: NotifyTarget,
  index: number,
): Record<string, unknown> {
  return {
    appid: who.appid,
    mchid: who.mchid,
    out_trade_no: target.id,
    transaction_id: `4200${String(index).padStart(24, '0')}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '{"tier":"basic"}',
    success_time: formatRfc3339Beijing(new Date()),
    payer: { openid: 'oFuzzPayer0000000000000000000' },
    amount: { total: target.priceFen, payer_total: target.priceFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets or deletes `a.b` in a JSON object; a parent that is no longer an object is left alone. */
function atPath(
  root: Record<string, unknown>,
  path: string,
  change: (parent: Record<string, unknown>, key: string) => void,
) {
  const keys = path.split('.');
  let parent: unknown = root;
  for (const key of keys.slice(0, -1)) parent = isRecord(parent) ? parent[key] : undefined;
  if (isRecord(parent)) change(parent, keys[keys.length - 1] as string);
}

function resolveValue(value: ContentValue, target: NotifyTarget, genuine: unknown): unknown {
  if ('literal' in value) return value.literal;
  if ('inject' in value) {
    const text = typeof genuine === 'string' ? genuine : (JSON.stringify(genuine) ?? '');
    const at = Math.floor(value.at * (text.length + 1));
    return `${text.slice(0, at)}${value.inject}${text.slice(at)}`;
  }
  const { id, priceFen: price } = target;
  switch (value.ref) {
    case 'price+1':
      return price + 1;
    case 'price-1':
      return price - 1;
    case 'price*100':
      return price * 100;
    case '-price':
      return -price;
    case 'price+0.5':
      return price + 0.5;
    case 'price-as-string':
      return String(price);
    case 'earlier-order':
      return target.earlier(value.pick);
    case 'fresh-order-id':
      return newOrderId();
    case 'lower-case-id':
      return id.toLowerCase();
    case 'id-with-suffix':
      return `${id}X`;
    case 'id-with-pipe':
      return `${id.slice(0, -1)}|`;
  }
}

function mutateContent(tx: Record<string, unknown>, mutations: ContentMutation[], target: NotifyTarget) {
  const copy = structuredClone(tx);
  for (const m of mutations) {
    atPath(copy, m.path, (parent, key) => {
      if (m.op === 'delete') delete parent[key];
      else parent[key] = resolveValue(m.value, target, parent[key]);
    });
  }
  return copy;
}

function envelopeOf(who: WechatPayIdentity, resource: Record<string, unknown>): Record<string, unknown> {
  const nonce = randomBytes(6).toString('hex');
  return {
    id: randomUUID(),
    create_time: formatRfc3339Beijing(new Date()),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encryptAeadAes256Gcm({
        key: who.apiV3Key,
        nonce,
        associatedData: 'transaction',
        plaintext: JSON.stringify(resource),
      }),
      associated_data: 'transaction',
      nonce,
    },
  };
}

function replacementBody(recipe: BodyRecipe, envelope: Record<string, unknown>): Buffer {
  switch (recipe.kind) {
    case 'empty':
      return Buffer.alloc(0);
    case 'nesting':
      return Buffer.from(buildNesting(recipe.nesting));
    case 'huge-string': {
      let text = buildText(recipe.text) || 'x';
      while (text.length < recipe.bytes) text += text;
      return Buffer.from(JSON.stringify({ ...envelope, summary: text.slice(0, recipe.bytes) }));
    }
    case 'invalid-utf8':
      return Buffer.from(recipe.bytes);
    case 'json':
      return Buffer.from(JSON.stringify(recipe.value) ?? 'null');
  }
}

function flipBit(bytes: Buffer, at: number, bit: number): Buffer {
  if (bytes.length === 0) return bytes;
  const copy = Buffer.from(bytes);
  const i = Math.floor(at * copy.length);
  copy[i] = (copy[i] as number) ^ (1 << bit);
  return copy;
}

/** Applies one body mutation; JSON-level ones only act on a body that is still a JSON object. */
function mutateBody(body: Buffer, m: BodyMutation): Buffer {
  const parsed = ((): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(body.toString('utf8')) as unknown;
      return isRecord(value) ? value : undefined;
    } catch {
      return undefined;
    }
  })();
  const reserialise = (change: (envelope: Record<string, unknown>) => void): Buffer => {
    if (!parsed) return body;
    change(parsed);
    return Buffer.from(JSON.stringify(parsed));
  };
  switch (m.op) {
    case 'truncate':
      return body.subarray(0, Math.floor(m.keep * body.length));
    case 'flip-bit':
      return flipBit(body, m.at, m.bit);
    case 'flip-ciphertext-bit':
      return reserialise((envelope) =>
        atPath(envelope, 'resource.ciphertext', (resource, key) => {
          const text = resource[key];
          if (typeof text !== 'string') return;
          resource[key] = flipBit(Buffer.from(text, 'base64'), m.at, m.bit).toString('base64');
        }),
      );
    case 'ciphertext':
      return reserialise((envelope) => atPath(envelope, 'resource.ciphertext', (r, k) => (r[k] = m.value)));
    case 'set-field':
      return reserialise((envelope) => atPath(envelope, m.path, (parent, key) => (parent[key] = m.value)));
    case 'delete-field':
      return reserialise((envelope) => atPath(envelope, m.path, (parent, key) => delete parent[key]));
    case 'append':
      return Buffer.concat([body, Buffer.from(m.text)]);
    case 'invalid-utf8-in-summary': {
      if (!parsed) return body;
      const marker = '\u0001fuzz-summary\u0001';
      const text = JSON.stringify({ ...parsed, summary: marker });
      const [before, after] = text.split(JSON.stringify(marker).slice(1, -1));
      return Buffer.concat([Buffer.from(before ?? ''), Buffer.from(m.bytes), Buffer.from(after ?? '')]);
    }
    case 'replace':
      return replacementBody(m.body, parsed ?? {});
  }
}

function signatureOver(who: WechatPayIdentity, timestamp: string, nonce: string, body: Buffer): string {
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), body, Buffer.from('\n')]);
  return sign('sha256', message, who.privateKey).toString('base64');
}

function renameCase(name: string, style: 'upper' | 'lower' | 'alternate'): string {
  if (style === 'upper') return name.toUpperCase();
  if (style === 'lower') return name.toLowerCase();
  return [...name].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('');
}

function mutateHeaders(
  headers: RawHeader[],
  m: HeaderMutation,
  signedBody: Buffer,
  who: WechatPayIdentity,
  nowSeconds: number,
): RawHeader[] {
  const isSigning = (name: string, header: SigningHeader) => name.toLowerCase() === header.toLowerCase();
  const mapValue = (header: SigningHeader, f: (value: string) => string) =>
    headers.map(([n, v]): RawHeader => (isSigning(n, header) ? [n, f(v)] : [n, v]));
  switch (m.op) {
    case 'drop':
      return headers.filter(([n]) => !isSigning(n, m.header));
    case 'empty':
      return mapValue(m.header, () => '');
    case 'duplicate': {
      const existing = headers.find(([n]) => isSigning(n, m.header));
      return existing ? [...headers, [existing[0], m.same ? existing[1] : `${existing[1]}x`]] : headers;
    }
    case 'oversize':
      return mapValue(m.header, (v) => v + 'A'.repeat(m.bytes));
    case 'rename-case':
      return headers.map(([n, v]): RawHeader =>
        isSigning(n, m.header) ? [renameCase(n, m.style), v] : [n, v],
      );
    case 'non-ascii':
      return mapValue(m.header, (v) => (m.where === 'append' ? v : '') + utf8AsHeaderValue(m.text));
    case 'value-case':
      return mapValue(m.header, (v) => (m.style === 'upper' ? v.toUpperCase() : v.toLowerCase()));
    case 'pad':
      return mapValue(m.header, (v) => `${m.padding}${v}${m.padding}`);
    case 'replace':
      return mapValue(m.header, () => m.value);
    case 'truncate':
      return mapValue(m.header, (v) => v.slice(0, Math.floor(m.keep * v.length)));
    case 'shift-timestamp': {
      // A fresh signature over the shifted timestamp: only the clock check can refuse it.
      const timestamp = String(nowSeconds + m.seconds);
      const nonce = headers.find(([n]) => isSigning(n, 'Wechatpay-Nonce'))?.[1] ?? '';
      const signature = signatureOver(who, timestamp, nonce, signedBody);
      return headers.map(([n, v]): RawHeader => {
        if (isSigning(n, 'Wechatpay-Timestamp')) return [n, timestamp];
        if (isSigning(n, 'Wechatpay-Signature')) return [n, signature];
        return [n, v];
      });
    }
    case 'probe-prefix':
      return mapValue('Wechatpay-Signature', (v) => `WECHATPAY/SIGNTEST/${v}`);
    case 'extra-headers':
      return [...headers, ...Array.from({ length: m.count }, (_, i): RawHeader => [`X-Fuzz-${i}`, `v${i}`])];
  }
}

/** Builds the request of one notification case: genuine, then changed at the case's layer. */
export function buildNotification(
  who: WechatPayIdentity,
  target: NotifyTarget,
  fuzzCase: NotifyCase,
  index: number,
): BuiltNotification {
  const genuine = genuineTransaction(who, target, index);
  const resource =
    fuzzCase.layer === 'content' ? mutateContent(genuine, fuzzCase.mutations, target) : genuine;
  const original = Buffer.from(JSON.stringify(envelopeOf(who, resource)));
  let body: Buffer = original;
  if (fuzzCase.layer === 'body') {
    for (const m of fuzzCase.mutations) {
      try {
        body = mutateBody(body, m);
      } catch (err) {
        // JSON.stringify recurses: a body nested too deep to re-serialise keeps its bytes (the mutation is skipped).
        if (!(err instanceof RangeError)) throw err;
      }
    }
  }
  const signedBody = fuzzCase.layer === 'body' && !fuzzCase.resign ? original : body;

  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = generateNonce();
  let headers: RawHeader[] = [
    ['Wechatpay-Serial', who.publicKeyId],
    ['Wechatpay-Timestamp', timestamp],
    ['Wechatpay-Nonce', nonce],
    ['Wechatpay-Signature', signatureOver(who, timestamp, nonce, signedBody)],
    ['Wechatpay-Signature-Type', SIGNATURE_TYPE],
  ];
  if (fuzzCase.layer === 'headers') {
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (const m of fuzzCase.mutations) headers = mutateHeaders(headers, m, signedBody, who, nowSeconds);
  }
  if (fuzzCase.contentType !== null) headers.unshift(['Content-Type', fuzzCase.contentType]);
  return { headers, body, genuine, resource };
}

/**
 * The signing headers as HTTP delivers them to the server: names case-insensitive, values trimmed of spaces and
 * tabs, repeated lines joined with ", ". A model of HTTP, not of the server.
 */
export function deliveredSigningHeaders(headers: RawHeader[]): Map<string, string | undefined> {
  const delivered = new Map<string, string | undefined>();
  for (const name of [
    'wechatpay-serial',
    'wechatpay-timestamp',
    'wechatpay-nonce',
    'wechatpay-signature',
    'wechatpay-signature-type',
  ]) {
    const values = headers
      .filter(([n]) => n.toLowerCase() === name)
      .map(([, v]) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
    delivered.set(name, values.length === 0 ? undefined : values.join(', '));
  }
  return delivered;
}
