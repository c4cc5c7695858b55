import fc from 'fast-check';
import {
  buildNesting,
  buildText,
  hostileJson,
  invalidUtf8,
  nestingRecipe,
  textRecipe,
  type NestingRecipe,
  type TextRecipe,
} from './hostile-values';
import type { RawHeader } from './raw-http';

/**
 * Recipes for the parts of a JSON API request, shared by the order and session targets: the body (a JSON value,
 * or bytes that are not one), its content type, the Authorization header, and path segments.
 */

export type JsonBody<F> =
  | { kind: 'fields'; fields: F }
  | { kind: 'value'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'nesting'; nesting: NestingRecipe }
  | { kind: 'invalid-utf8'; bytes: number[] }
  | { kind: 'truncated'; fields: F; keep: number }
  | { kind: 'none' };

/** JSON texts a generator would rarely write: duplicate keys, `__proto__`, BOM, comments, trailing commas. */
const TRICKY_JSON = [
  '{"prompt":"a","prompt":"b","tier":"basic","tier":"nope"}',
  '{"__proto__":{"tier":"basic","prompt":"p","code":"c"}}',
  '{"constructor":{"prototype":{"tier":"basic"}},"prompt":"p"}',
  '\uFEFF{"prompt":"p","tier":"basic","code":"c"}',
  '{"prompt":"p","tier":"basic",}',
  '{"prompt":"p" /* c */,"tier":"basic"}',
  '{"prompt":"\\ud800","tier":"basic","code":"\\udfff"}',
  '{"prompt":"\\u0000","tier":"basic\\u0000","code":"\\u0000"}',
  '{"prompt":1e999,"tier":-0,"code":1e999}',
  "{'prompt':'p','tier':'basic'}",
  'null',
  '[]',
  '""',
  '{}',
  '{"a":',
] as const;

/** A body around `fields` (a recipe of the object the route expects), or something else entirely. */
export function jsonBody<F>(fields: fc.Arbitrary<F>): fc.Arbitrary<JsonBody<F>> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('fields' as const), fields }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('value' as const), value: hostileJson }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.constantFrom(...TRICKY_JSON) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('nesting' as const), nesting: nestingRecipe }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid-utf8' as const), bytes: invalidUtf8 }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('truncated' as const),
        fields,
        keep: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );
}

/** The body's bytes (undefined: no body), and the JSON value it carries when it is JSON. */
export function buildJsonBody<F>(body: JsonBody<F>, build: (fields: F) => unknown): Buffer | undefined {
  switch (body.kind) {
    case 'fields':
      return Buffer.from(JSON.stringify(build(body.fields)) ?? 'null');
    case 'value':
      return Buffer.from(JSON.stringify(body.value) ?? 'null');
    case 'text':
      return Buffer.from(body.text);
    case 'nesting':
      return Buffer.from(buildNesting(body.nesting));
    case 'invalid-utf8':
      return Buffer.from(body.bytes);
    case 'truncated': {
      const full = Buffer.from(JSON.stringify(build(body.fields)) ?? 'null');
      return full.subarray(0, Math.floor(body.keep * full.length));
    }
    case 'none':
      return undefined;
  }
}

/** A string field as a recipe (hostile text of any length) or any JSON value in its place. */
export type FieldValue = { text: TextRecipe } | { json: unknown } | { constant: string };

export function fieldValue(constants: readonly string[]): fc.Arbitrary<FieldValue> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ text: textRecipe }) },
    { weight: 1, arbitrary: fc.record({ json: hostileJson }) },
    { weight: 3, arbitrary: fc.record({ constant: fc.constantFrom(...constants) }) },
  );
}

export function buildField(value: FieldValue): unknown {
  if ('text' in value) return buildText(value.text);
  if ('json' in value) return value.json;
  return value.constant;
}

export const contentType = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      '',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=nope',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ),
  },
);

/** How the request authenticates: the real token (mostly), or a broken Authorization header. */
export type Auth =
  | { kind: 'token' }
  | { kind: 'none' }
  | { kind: 'header'; value: string }
  | {
      kind: 'token-variant';
      variant: 'lower-scheme' | 'extra-space' | 'trailing-junk' | 'truncated' | 'doubled';
    };

export const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'token' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('header' as const),
      value: fc.oneof(
        fc.constantFrom(
          '',
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNz',
          'Bearer a b',
          'Bearer ../../etc/passwd',
          'Bearer %00',
        ),
        fc.string({
          unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
          maxLength: 200,
        }),
        fc.constant(`Bearer ${'A'.repeat(8_000)}`),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('token-variant' as const),
      variant: fc.constantFrom(
        'lower-scheme' as const,
        'extra-space' as const,
        'trailing-junk' as const,
        'truncated' as const,
        'doubled' as const,
      ),
    }),
  },
);

export function authHeaders(a: Auth, token: string): RawHeader[] {
  switch (a.kind) {
    case 'token':
      return [['Authorization', `Bearer ${token}`]];
    case 'none':
      return [];
    case 'header':
      return [['Authorization', a.value]];
    case 'token-variant': {
      const value = {
        'lower-scheme': `bearer ${token}`,
        'extra-space': `Bearer   ${token}`,
        'trailing-junk': `Bearer ${token} x`,
        truncated: `Bearer ${token.slice(0, -1)}`,
        doubled: `Bearer ${token}${token}`,
      }[a.variant];
      return [['Authorization', value]];
    }
  }
}

/** A path segment: how a value is put into the URL. */
export type Encoding = 'component' | 'raw' | 'double';

export const encoding: fc.Arbitrary<Encoding> = fc.constantFrom('component', 'raw', 'double');

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function percentEncode(value: string, keep: (char: string) => boolean): string {
  // Buffer.from, not encodeURIComponent: a lone surrogate becomes U+FFFD's bytes instead of throwing.
  return [...Buffer.from(value, 'utf8')]
    .map((b) => {
      const char = String.fromCharCode(b);
      return b < 0x80 && keep(char) ? char : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * Puts `value` in a path or query. `component` percent-encodes all but unreserved characters, `double` does it
 * twice, and `raw` keeps printable ASCII as typed (so `/`, `..`, `%`, `?` and `#` reach the server as they are),
 * encoding only what cannot be on an HTTP request line at all (controls, spaces, non-ASCII), which Node's own
 * parser refuses before the app sees the request.
 */
export function encodeSegment(value: string, how: Encoding): string {
  if (how === 'component') return percentEncode(value, (c) => UNRESERVED.test(c));
  if (how === 'double')
    return percentEncode(
      percentEncode(value, (c) => UNRESERVED.test(c)),
      (c) => UNRESERVED.test(c),
    );
  return percentEncode(value, (c) => c > ' ' && c < '\x7f');
}
