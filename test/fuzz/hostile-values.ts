import fc from 'fast-check';

/**
 * Building blocks of hostile input, shared by the targets. Large values are generated as recipes (a fragment and
 * a repeat count) so a failing case prints in a few lines and is rebuilt in full from its seed.
 */

/** Characters that break naive handling: NUL, lone surrogates, bidi overrides, zero-width, separators, emoji. */
export const SPECIAL_FRAGMENTS = [
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\uDBFF\uDBFF',
  '\uDC00\uD800',
  '\u202E',
  '\u200F',
  '\u2066',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u007F',
  '\uFFFD',
  '\uFFFF',
  '\r\n',
  '\t',
  ' ',
  '"',
  '\\',
  "'",
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301',
  'مرحبا',
  'שלום',
  '量子纠缠',
  '%00',
  '%2e%2e%2f',
  '../',
  '..\\',
  '<script>',
  '${x}',
  '{{x}}',
  '__proto__',
  'constructor',
  'hasOwnProperty',
] as const;

const fragment = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_FRAGMENTS) },
);

/** A string as a recipe: `fragments.join('')` repeated `repeat` times. */
export interface TextRecipe {
  fragments: string[];
  repeat: number;
}

export const textRecipe: fc.Arbitrary<TextRecipe> = fc.record({
  fragments: fc.array(fragment, { minLength: 0, maxLength: 5 }),
  repeat: fc.oneof(
    { weight: 8, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom(2_001, 10_000, 70_000) },
  ),
});

export function buildText(recipe: TextRecipe): string {
  const unit = recipe.fragments.join('');
  return unit.repeat(unit.length === 0 ? 0 : recipe.repeat);
}

/** A JSON value of any type, hostile strings included; numbers include the edges (NaN and ±∞ serialise as null). */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 1e21, 2 ** 53, -(2 ** 53), Number.NaN, Infinity),
    fc.integer(),
    fc.double(),
    textRecipe.map(buildText).filter((s) => s.length <= 4_096),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...SPECIAL_FRAGMENTS)),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

/** Nested JSON `depth` levels deep (`[[[…]]]` or `{"a":{"a":…}}`), as text. */
export interface NestingRecipe {
  depth: number;
  shape: 'array' | 'object';
}

export const nestingRecipe: fc.Arbitrary<NestingRecipe> = fc.record({
  depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1_000, 10_000, 100_000)),
  shape: fc.constantFrom('array', 'object'),
});

export function buildNesting({ depth, shape }: NestingRecipe): string {
  return shape === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, encoded surrogates, truncated sequences. */
export const invalidUtf8: fc.Arbitrary<number[]> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        [0xff],
        [0xfe],
        [0x80],
        [0xc0, 0xaf],
        [0xe0, 0x80, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xc3],
      ),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
      fc.constant([...Buffer.from('{"a":"')]),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.flat());
