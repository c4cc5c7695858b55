import { findPii, PII_KINDS, type PiiKind } from './pii-detectors.js';

export interface RedactPiiOptions {
  /** The ordering user's own openid; every exact occurrence becomes `[OPENID_1]`. Ignored when empty. */
  openid?: string;
  /** Upper bound for resident-ID birth dates. Defaults to the current time; tests pin it. */
  now?: Date;
}

export interface RedactionResult {
  /** The input with each match replaced by `[KIND_n]`. */
  text: string;
  /** How many occurrences of each kind were replaced (not how many distinct values). */
  counts: Record<PiiKind, number>;
}

/**
 * Enough passes for every cascade seen in property tests (two), with room to spare. A placeholder is never part of
 * a match (its brackets end words, numbers and addresses), so each pass only shrinks what is left to search.
 */
const MAX_PASSES = 4;

/** `[KIND_n]`, numbered per kind in order of first appearance, one number per distinct value. */
class Placeholders {
  private readonly numbers = new Map<string, number>(); // `${kind}:${value}` → placeholder number
  private readonly distinct = new Map<PiiKind, number>();

  for(kind: PiiKind, value: string): string {
    const key = `${kind}:${value}`;
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = (this.distinct.get(kind) ?? 0) + 1;
      this.distinct.set(kind, n);
      this.numbers.set(key, n);
    }
    return `[${kind}_${n}]`;
  }
}

/**
 * Replaces personal data in a prompt with typed, numbered placeholders before it leaves for a model provider:
 * mainland mobile and landline numbers, resident IDs (18-character with checksum, and 15-digit first-generation),
 * bank cards (Luhn + issuer prefix), passport numbers, e-mail addresses (internationalised ones too), WeChat Pay
 * transaction ids and the user's own openid.
 *
 * Obfuscation does not hide a number: full-width and other Unicode digits, zero-width characters and separators
 * between digits (`138.0013.8000`, `１３８ ００１３ ８０００`) are read through (see `findPii`), and the placeholder
 * replaces exactly the span the user wrote, leaving the text around it as it was.
 *
 * Placeholders are numbered per kind in order of first appearance, one number per distinct normalised value
 * (`138 0013 8000` and `+8613800138000` are both `[PHONE_1]`), so the model can still tell values apart and
 * refer to them.
 *
 * Redacting can complete a match that the original hid: `a@b.fr1.0755-1234567` has no address (`fr1` is no
 * top-level domain) until the landline after it becomes a placeholder and leaves `a@b.fr1.[LANDLINE_1]`, whose
 * `fr` is one. So the output is searched again, and again, until nothing more is found (`MAX_PASSES` at most,
 * against hostile input; ordinary text needs one or two). That makes redaction idempotent, and keeps numbering
 * across passes: a value gets the same placeholder whichever pass finds it. Each pass is linear in the length.
 */
export function redactPii(text: string, options: RedactPiiOptions = {}): RedactionResult {
  const counts = Object.fromEntries(PII_KINDS.map((kind) => [kind, 0])) as Record<PiiKind, number>;
  const placeholders = new Placeholders();
  let redacted = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const spans = findPii(redacted, options);
    if (spans.length === 0) break;
    const parts: string[] = [];
    let cursor = 0;
    for (const span of spans) {
      counts[span.kind]++;
      parts.push(redacted.slice(cursor, span.start), placeholders.for(span.kind, span.value));
      cursor = span.end;
    }
    parts.push(redacted.slice(cursor));
    redacted = parts.join('');
  }
  return { text: redacted, counts };
}
