import { isPlausibleCardNumber, isValidResidentId } from './checksums.js';

/** The kinds of personal data removed from prompts, in the order they win when two matches overlap. */
export const PII_KINDS = ['OPENID', 'EMAIL', 'WXPAY_TXN', 'ID_CARD', 'BANK_CARD', 'PHONE'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** One match in the original text: `[start, end)` plus a normalised value, so one number written two ways maps to one placeholder. */
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

/*
 * Every pattern below is anchored with explicit lookarounds instead of `\b`: `\b` treats CJK characters as non-word
 * characters only by accident, and treats `_`/letters next to digits as "inside a word", which is wrong both ways
 * for text like `手机13800138000` or `ord_20261127`. Each pattern is linear: no nested quantifiers, and every
 * lookbehind stops the engine from restarting inside a run it has already rejected.
 */

/**
 * Local part must start at a boundary (the lookbehind), so a long run of local-part characters without an `@` is
 * scanned once, not once per start position. Domain labels are dot-separated, so splitting them is unambiguous.
 */
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])/g;

/** WeChat Pay `transaction_id`: 28 digits beginning with 42 (`4200…`). */
const WXPAY_TXN = /(?<!\d)42\d{26}(?!\d)/g;

/** 18-character resident ID shape; the checksum, region and birth date are checked in code. */
const ID_CARD = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;

/**
 * Card shapes: 13–19 contiguous digits, 4-4-4-4 with an optional short tail (16–19), or Amex/Diners 4-6-5 / 4-6-4.
 * Letters and `_` count as part of the run on both sides: a Luhn-valid stretch inside `TT4111…` or `ord_62…` is an
 * identifier, and Luhn alone lets one random number in ten through.
 */
const BANK_CARD =
  /(?<![\dA-Za-z_])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\dA-Za-z_])/g;

/** A trailing group of 1–3 digits that may belong to the surrounding text rather than to the card. */
const SHORT_TAIL = /[ -]\d{1,3}$/;

/**
 * Mainland mobile: 1[3-9] + 9 digits, contiguous or grouped 3-4-4 by spaces or dashes, optionally after `+86`,
 * `0086`, `(+86)` or a bare `86` (which must then be glued on, else `共86 13800138000` would lose its `86`).
 */
const PHONE = /(?<!\d)(?:(?:\+|00)86[ -]?|\(\+?86\)[ -]?|86)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/g;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

function* matches(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  // A fresh copy per call: the patterns are global (stateful `lastIndex`) and shared by concurrent callers.
  const re = new RegExp(pattern.source, pattern.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) yield m;
}

function findOpenid(text: string, openid: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (let at = text.indexOf(openid); at !== -1; at = text.indexOf(openid, at + openid.length)) {
    spans.push({ kind: 'OPENID', start: at, end: at + openid.length, value: openid });
  }
  return spans;
}

function findEmails(text: string): PiiSpan[] {
  return [...matches(EMAIL, text)].map((m) => ({
    kind: 'EMAIL' as const,
    start: m.index,
    end: m.index + m[0].length,
    value: m[0].toLowerCase(),
  }));
}

function findWxpayTxns(text: string): PiiSpan[] {
  return [...matches(WXPAY_TXN, text)].map((m) => ({
    kind: 'WXPAY_TXN' as const,
    start: m.index,
    end: m.index + m[0].length,
    value: m[0],
  }));
}

function findIdCards(text: string, now: Date): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of matches(ID_CARD, text)) {
    if (!isValidResidentId(m[0], now)) continue;
    spans.push({ kind: 'ID_CARD', start: m.index, end: m.index + m[0].length, value: m[0].toUpperCase() });
  }
  return spans;
}

function findBankCards(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of matches(BANK_CARD, text)) {
    // The regex takes the longest shape; if that fails the checks, a 4-4-4-4 card followed by " 12" still counts.
    const shapes = SHORT_TAIL.test(m[0]) && /[ -]/.test(m[0]) ? [m[0], m[0].replace(SHORT_TAIL, '')] : [m[0]];
    const shape = shapes.find((s) => isPlausibleCardNumber(digitsOf(s)));
    if (shape === undefined) continue;
    spans.push({ kind: 'BANK_CARD', start: m.index, end: m.index + shape.length, value: digitsOf(shape) });
  }
  return spans;
}

function findPhones(text: string): PiiSpan[] {
  return [...matches(PHONE, text)].map((m) => ({
    kind: 'PHONE' as const,
    start: m.index,
    end: m.index + m[0].length,
    value: digitsOf(m[0]).slice(-11), // +86 138 0013 8000 and 13800138000 are one number
  }));
}

/**
 * Maps full-width ASCII (U+FF01–FF5E: `１３８`, `＠`, `＋`, `（`) and the ideographic space to their ASCII forms, as
 * Chinese input methods produce them. Every mapped character is one UTF-16 unit before and after, so positions
 * in the result are positions in the original.
 */
function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/**
 * Every PII match in `text`, non-overlapping, sorted by position. Where matches overlap, the kind earlier in
 * `PII_KINDS` wins: an e-mail address like `13800138000@163.com` is one e-mail, not a phone, and an 18-digit number
 * that is a valid resident ID is an ID even when it also passes Luhn. Full-width digits and symbols count as their
 * ASCII forms.
 */
export function findPii(original: string, options: { openid?: string; now?: Date } = {}): PiiSpan[] {
  const openid = options.openid?.trim();
  const text = toHalfWidth(original);
  const byPriority: PiiSpan[][] = [
    openid ? findOpenid(text, openid) : [],
    findEmails(text),
    findWxpayTxns(text),
    findIdCards(text, options.now ?? new Date()),
    findBankCards(text),
    findPhones(text),
  ];
  const taken = new Uint8Array(text.length);
  const accepted: PiiSpan[] = [];
  for (const spans of byPriority) {
    for (const span of spans) {
      if (taken.subarray(span.start, span.end).some((t) => t === 1)) continue;
      taken.fill(1, span.start, span.end);
      accepted.push(span);
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
}
