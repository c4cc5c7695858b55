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
 * Replaces personal data in a prompt with typed, numbered placeholders before it leaves for a model provider
 * (issue #5): mainland mobile numbers, resident IDs (checksum), bank cards (Luhn + issuer prefix), e-mail
 * addresses, WeChat Pay transaction ids and the user's own openid.
 *
 * Placeholders are numbered per kind in order of first appearance, one number per distinct value
 * (`138 0013 8000` and `+8613800138000` are both `[PHONE_1]`), so the model can still tell values apart and
 * refer to them. Runs in time linear in the input; prompts are a few thousand characters.
 */
export function redactPii(text: string, options: RedactPiiOptions = {}): RedactionResult {
  const counts = Object.fromEntries(PII_KINDS.map((kind) => [kind, 0])) as Record<PiiKind, number>;
  const spans = findPii(text, options);
  if (spans.length === 0) return { text, counts };

  const numbers = new Map<string, number>(); // `${kind}:${value}` → placeholder number
  const distinct = Object.fromEntries(PII_KINDS.map((kind) => [kind, 0])) as Record<PiiKind, number>;
  const parts: string[] = [];
  let cursor = 0;
  for (const span of spans) {
    const key = `${span.kind}:${span.value}`;
    let n = numbers.get(key);
    if (n === undefined) {
      n = ++distinct[span.kind];
      numbers.set(key, n);
    }
    counts[span.kind]++;
    parts.push(text.slice(cursor, span.start), `[${span.kind}_${n}]`);
    cursor = span.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), counts };
}
