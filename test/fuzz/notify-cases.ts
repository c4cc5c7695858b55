import fc from 'fast-check';
import {
  SPECIAL_FRAGMENTS,
  hostileJson,
  invalidUtf8,
  nestingRecipe,
  textRecipe,
  type NestingRecipe,
  type TextRecipe,
} from './hostile-values';

/**
 * The cases of the payment-notification target, as printable recipes. Each starts from a genuine
 * TRANSACTION.SUCCESS notification for a real unpaid order (encrypted with the APIv3 key, signed with WeChat Pay's
 * key) and changes one layer of it:
 * - `headers`: the Wechatpay-* signing headers (the body is untouched);
 * - `body`: the bytes of the body, either left with the signature of the original (a forgery) or signed again
 *   (WeChat Pay itself sending a broken body: the parsing after verification is under test);
 * - `content`: the decrypted transaction, encrypted and signed properly (WeChat Pay reporting a hostile payment).
 * Any case may also carry a content-type other than JSON.
 */

export const SIGNING_HEADERS = [
  'Wechatpay-Serial',
  'Wechatpay-Timestamp',
  'Wechatpay-Nonce',
  'Wechatpay-Signature',
  'Wechatpay-Signature-Type',
] as const;
export type SigningHeader = (typeof SIGNING_HEADERS)[number];

export type HeaderMutation =
  | { op: 'drop'; header: SigningHeader }
  | { op: 'empty'; header: SigningHeader }
  | { op: 'duplicate'; header: SigningHeader; same: boolean }
  | { op: 'oversize'; header: SigningHeader; bytes: number }
  | { op: 'rename-case'; header: SigningHeader; style: 'upper' | 'lower' | 'alternate' }
  | { op: 'non-ascii'; header: SigningHeader; text: string; where: 'replace' | 'append' }
  | { op: 'value-case'; header: SigningHeader; style: 'upper' | 'lower' }
  | { op: 'pad'; header: SigningHeader; padding: ' ' | '\t' | '  \t ' }
  | { op: 'replace'; header: SigningHeader; value: string }
  | { op: 'truncate'; header: SigningHeader; keep: number }
  | { op: 'shift-timestamp'; seconds: number }
  | { op: 'probe-prefix' }
  | { op: 'extra-headers'; count: number };

/** Paths in the notification envelope (`resource.*` inside the encrypted resource's wrapper). */
export const ENVELOPE_PATHS = [
  'id',
  'create_time',
  'event_type',
  'summary',
  'resource_type',
  'resource',
  'resource.original_type',
  'resource.algorithm',
  'resource.ciphertext',
  'resource.associated_data',
  'resource.nonce',
] as const;
export type EnvelopePath = (typeof ENVELOPE_PATHS)[number];

/** A replacement body. */
export type BodyRecipe =
  | { kind: 'empty' }
  | { kind: 'nesting'; nesting: NestingRecipe }
  | { kind: 'huge-string'; text: TextRecipe; bytes: number }
  | { kind: 'invalid-utf8'; bytes: number[] }
  | { kind: 'json'; value: unknown };

export type BodyMutation =
  | { op: 'truncate'; keep: number }
  | { op: 'flip-bit'; at: number; bit: number }
  | { op: 'flip-ciphertext-bit'; at: number; bit: number }
  | { op: 'ciphertext'; value: string }
  | { op: 'set-field'; path: EnvelopePath; value: unknown }
  | { op: 'delete-field'; path: EnvelopePath }
  | { op: 'append'; text: string }
  | { op: 'invalid-utf8-in-summary'; bytes: number[] }
  | { op: 'replace'; body: BodyRecipe };

/** Fields of the decrypted transaction. */
export const TRANSACTION_PATHS = [
  'out_trade_no',
  'appid',
  'mchid',
  'transaction_id',
  'trade_type',
  'trade_state',
  'trade_state_desc',
  'bank_type',
  'attach',
  'success_time',
  'payer',
  'payer.openid',
  'amount',
  'amount.total',
  'amount.payer_total',
  'amount.currency',
  'amount.payer_currency',
] as const;
export type TransactionPath = (typeof TRANSACTION_PATHS)[number];

/**
 * A value relative to the target order (resolved when the case runs), a literal, or the genuine value with a
 * hostile fragment inserted at a fraction of its length (a plausible value with one bad character).
 */
export type ContentValue =
  | {
      ref:
        | 'price+1'
        | 'price-1'
        | 'price*100'
        | '-price'
        | 'price+0.5'
        | 'price-as-string'
        | 'earlier-order'
        | 'fresh-order-id'
        | 'lower-case-id'
        | 'id-with-suffix'
        | 'id-with-pipe';
      pick: number;
    }
  | { literal: unknown }
  | { inject: string; at: number };

export type ContentMutation =
  { op: 'set'; path: TransactionPath; value: ContentValue } | { op: 'delete'; path: TransactionPath };

export type NotifyCase =
  | { layer: 'headers'; mutations: HeaderMutation[]; contentType: string | null }
  | { layer: 'body'; mutations: BodyMutation[]; resign: boolean; contentType: string | null }
  | { layer: 'content'; mutations: ContentMutation[]; contentType: string | null };

const header = fc.constantFrom(...SIGNING_HEADERS);
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const printable = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 64,
});

const headerMutation: fc.Arbitrary<HeaderMutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), header }),
  fc.record({ op: fc.constant('empty' as const), header }),
  fc.record({ op: fc.constant('duplicate' as const), header, same: fc.boolean() }),
  fc.record({ op: fc.constant('oversize' as const), header, bytes: fc.integer({ min: 256, max: 20_000 }) }),
  fc.record({
    op: fc.constant('rename-case' as const),
    header,
    style: fc.constantFrom('upper' as const, 'lower' as const, 'alternate' as const),
  }),
  fc.record({
    op: fc.constant('non-ascii' as const),
    header,
    text: fc.constantFrom('签名', 'é', '\u00A0', '🙂', '\u202E', 'Ω'),
    where: fc.constantFrom('replace' as const, 'append' as const),
  }),
  fc.record({
    op: fc.constant('value-case' as const),
    header,
    style: fc.constantFrom('upper' as const, 'lower' as const),
  }),
  fc.record({
    op: fc.constant('pad' as const),
    header,
    padding: fc.constantFrom(' ' as const, '\t' as const, '  \t ' as const),
  }),
  fc.record({ op: fc.constant('replace' as const), header, value: printable }),
  fc.record({ op: fc.constant('truncate' as const), header, keep: fraction }),
  fc.record({
    op: fc.constant('shift-timestamp' as const),
    // Away from the ±300 s edge, where the outcome would depend on when the second ticks.
    seconds: fc
      .oneof(
        fc.integer({ min: -290, max: 290 }),
        fc.integer({ min: 310, max: 1_000 }),
        fc.integer({ min: -1_000, max: -310 }),
        fc.constant(1e9),
      )
      .filter((s) => s !== 0),
  }),
  fc.record({ op: fc.constant('probe-prefix' as const) }),
  fc.record({ op: fc.constant('extra-headers' as const), count: fc.integer({ min: 1, max: 20 }) }),
);

const bodyRecipe: fc.Arbitrary<BodyRecipe> = fc.oneof(
  fc.record({ kind: fc.constant('empty' as const) }),
  fc.record({ kind: fc.constant('nesting' as const), nesting: nestingRecipe }),
  fc.record({
    kind: fc.constant('huge-string' as const),
    text: textRecipe,
    bytes: fc.constantFrom(1_000, 60_000, 65_536, 65_537, 200_000),
  }),
  fc.record({ kind: fc.constant('invalid-utf8' as const), bytes: invalidUtf8 }),
  fc.record({ kind: fc.constant('json' as const), value: hostileJson }),
);

const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), keep: fraction }),
  fc.record({ op: fc.constant('flip-bit' as const), at: fraction, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constant('flip-ciphertext-bit' as const),
    at: fraction,
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    op: fc.constant('ciphertext' as const),
    value: fc.oneof(
      fc.constantFrom('', '====', 'not base64!', 'AAAA', 'A', '////', '-_-_', 'QUJD\nREVG', ' QUJD'),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64url')),
    ),
  }),
  fc.record({
    op: fc.constant('set-field' as const),
    path: fc.constantFrom(...ENVELOPE_PATHS),
    value: hostileJson,
  }),
  fc.record({
    op: fc.constant('set-field' as const),
    path: fc.constantFrom(...ENVELOPE_PATHS),
    value: fc.constantFrom(
      'refund',
      'transaction',
      'encrypt-resource',
      'AEAD_AES_256_GCM',
      'aead_aes_256_gcm',
      'REFUND.SUCCESS',
      '',
    ),
  }),
  fc.record({ op: fc.constant('delete-field' as const), path: fc.constantFrom(...ENVELOPE_PATHS) }),
  fc.record({
    op: fc.constant('append' as const),
    text: fc.constantFrom(' ', '\n', '\uFEFF', ',', '}', '\u0000', '{"x":1}'),
  }),
  fc.record({ op: fc.constant('invalid-utf8-in-summary' as const), bytes: invalidUtf8 }),
  fc.record({ op: fc.constant('replace' as const), body: bodyRecipe }),
);

const contentValue: fc.Arbitrary<ContentValue> = fc.oneof(
  fc.record({
    ref: fc.constantFrom(
      'price+1' as const,
      'price-1' as const,
      'price*100' as const,
      '-price' as const,
      'price+0.5' as const,
      'price-as-string' as const,
      'earlier-order' as const,
      'fresh-order-id' as const,
      'lower-case-id' as const,
      'id-with-suffix' as const,
      'id-with-pipe' as const,
    ),
    pick: fc.nat(1_000),
  }),
  fc.record({
    literal: fc.oneof(
      hostileJson,
      fc.constantFrom(
        'NOTPAY',
        'CLOSED',
        'REFUND',
        'USERPAYING',
        'PAYERROR',
        'REVOKED',
        'success',
        'SUCCESS ',
        'USD',
        'cny',
        'NATIVE',
        'APP',
        'jsapi',
        -1,
        0,
        1e20,
        2 ** 53 + 1,
        0.01,
      ),
    ),
  }),
  fc.record({ inject: fc.constantFrom(...SPECIAL_FRAGMENTS), at: fraction }),
);

const contentMutation: fc.Arbitrary<ContentMutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      path: fc.constantFrom(...TRANSACTION_PATHS),
      value: contentValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...TRANSACTION_PATHS) }),
  },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      '',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=latin1',
    ),
  },
);

export const notifyCase: fc.Arbitrary<NotifyCase> = fc.oneof(
  fc.record({
    layer: fc.constant('headers' as const),
    mutations: fc.array(headerMutation, { minLength: 1, maxLength: 3 }),
    contentType,
  }),
  fc.record({
    layer: fc.constant('body' as const),
    mutations: fc.array(bodyMutation, { minLength: 1, maxLength: 2 }),
    resign: fc.boolean(),
    contentType,
  }),
  fc.record({
    layer: fc.constant('content' as const),
    mutations: fc.array(contentMutation, { minLength: 0, maxLength: 4 }),
    contentType,
  }),
);
