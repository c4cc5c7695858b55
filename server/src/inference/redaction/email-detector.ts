import { type PiiSpan } from './pii-span.js';

/**
 * E-mail addresses, internationalised ones included (`josé@exämple.com`, `用户@例子.中国`), in normalised text.
 *
 * Chinese prompts glue addresses to the words around them (`邮箱是zhang@example.com就行`), and CJK characters are
 * also valid in an address, so where an address starts and ends is decided by script: a Latin local part stops at
 * the last CJK character before it, and a top-level domain stops where the script changes after it. A CJK local
 * part stops after the last of a few words that introduce an address (`是`, `邮箱`, `发到`, …).
 *
 * Scanned in code rather than with one regex: from each `@`, left over the local part and right over the domain.
 * Neither scan crosses another `@`, so each character is read at most twice and the whole scan is linear.
 */

const LOCAL_CHAR = /[\p{L}\p{M}\p{N}._%+-]/u;
const DOMAIN_CHAR = /[\p{L}\p{M}\p{N}-]/u;
const LETTER = /[\p{L}\p{M}]/u;
const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Characters that end the words introducing an address: 是 为 為 到 给 給 至 (…is / send to …), 箱 (邮箱 / 信箱),
 * 址 (地址), 系 (联系). A CJK local part starts after the last of them.
 */
const LEAD_IN = /[是为為到给給至箱址系]/u;

/** CJK top-level domains people actually use; longer ones first so `中文网` is not read as `中`… */
const CJK_TLDS = [
  '我爱你',
  '中文网',
  '中国',
  '中國',
  '公司',
  '网络',
  '網絡',
  '网址',
  '网店',
  '在线',
  '商城',
  '集团',
  '信息',
  '手机',
  '游戏',
  '企业',
  '香港',
  '台湾',
  '台灣',
];

/** The code point that ends at `end` (two UTF-16 units for one outside the BMP). */
function charBefore(text: string, end: number): string {
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(end - 2, end);
  }
  return text.slice(end - 1, end);
}

/** The code point that starts at `at`, or `''` past the end. */
function charAt(text: string, at: number): string {
  const codePoint = text.codePointAt(at);
  return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
}

/** Where the local part ending at `at` (the `@`) starts, or `at` when there is none. */
function localPartStart(text: string, at: number): number {
  let start = at;
  for (let c = charBefore(text, start); start > 0 && LOCAL_CHAR.test(c); c = charBefore(text, start)) {
    start -= c.length;
  }
  let lastWideEnd = -1;
  for (let i = start; i < at; i += charAt(text, i).length) {
    if (WIDE.test(charAt(text, i))) lastWideEnd = i + charAt(text, i).length;
  }
  if (lastWideEnd === -1) return start;
  // Latin (or digits) after the last CJK character: the CJK is the sentence around the address.
  if (lastWideEnd < at) return lastWideEnd;
  // A CJK local part: drop the words that introduce it.
  let cut = start;
  for (let i = start; i < at; i += charAt(text, i).length) {
    const c = charAt(text, i);
    if (LEAD_IN.test(c)) cut = i + c.length;
    else if (!WIDE.test(c)) cut = i + c.length; // only the CJK run right before the `@` is the local part
  }
  return cut;
}

/**
 * How long the top-level domain at the start of `label` is, and whether the label goes on after it, or
 * `undefined` when the label cannot end an address. Latin: its leading run of two or more letters, cut where a
 * digit or CJK follows (`com就行`, `com13800138000`: what follows is the next word, which may itself be redacted,
 * and the address must read the same before and after that). CJK: one of `CJK_TLDS` (`中国就行` → `中国`).
 */
function topLevelDomain(label: string): { length: number; cut: boolean } | undefined {
  const first = charAt(label, 0);
  if (WIDE.test(first)) {
    const tld = CJK_TLDS.find((t) => label.startsWith(t));
    return tld === undefined ? undefined : { length: tld.length, cut: tld.length < label.length };
  }
  let length = 0;
  let letters = 0;
  for (let c = first; c !== '' && LETTER.test(c) && !WIDE.test(c); c = charAt(label, length)) {
    length += c.length;
    letters++;
  }
  if (letters < 2) return undefined;
  if (length === label.length) return { length, cut: false };
  return charAt(label, length) === '-' ? undefined : { length, cut: true };
}

/** Where the domain starting at `from` ends (after its top-level domain), or `undefined` when it has none. */
function domainEnd(text: string, from: number): number | undefined {
  let end: number | undefined;
  let labelStart = from;
  for (let index = 0; ; index++) {
    let labelEnd = labelStart;
    for (let c = charAt(text, labelEnd); c !== '' && DOMAIN_CHAR.test(c); c = charAt(text, labelEnd)) {
      labelEnd += c.length;
    }
    if (labelEnd === labelStart) break;
    const anotherLabel = text[labelEnd] === '.' && DOMAIN_CHAR.test(charAt(text, labelEnd + 1));
    const tld = index > 0 ? topLevelDomain(text.slice(labelStart, labelEnd)) : undefined;
    // A label cut short (`com就行`) ends the address; one with more labels after it (`web3.com`) is no TLD.
    if (tld && !(tld.cut && anotherLabel)) {
      end = labelStart + tld.length;
      if (tld.cut) break;
    }
    if (!anotherLabel) break;
    labelStart = labelEnd + 1;
  }
  return end;
}

/** E-mail addresses in normalised text, by position; the value is lower-cased. */
export function findEmails(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  let searchFrom = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', Math.max(at + 1, searchFrom))) {
    // A local part never starts with a dot, nor inside the previous address (`a@b.cn.c@d.com`).
    let start = Math.max(localPartStart(text, at), searchFrom);
    while (text[start] === '.') start++;
    if (start >= at) continue;
    const end = domainEnd(text, at + 1);
    if (end === undefined) continue;
    spans.push({ kind: 'EMAIL', start, end, value: text.slice(start, end).toLowerCase() });
    searchFrom = end;
  }
  return spans;
}
