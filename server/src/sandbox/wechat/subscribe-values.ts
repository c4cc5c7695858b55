/**
 * Value limits of subscribe-message template fields, by the type in the key's name (`thing1` is a `thing`).
 * WeChat answers `47003 argument invalid! data.<key>.value invalid` when one is broken. Limits are from the
 * official table (reference §6.3); time and date formats are checked loosely.
 */

const HAN = /^\p{Script=Han}+$/u;
const HAS_HAN = /\p{Script=Han}/u;
/** `2019年10月1日`, `2019-10-01`, `2019/10/01` or `2019.10.01`. */
const DATE = String.raw`\d{4}(?:年\d{1,2}月\d{1,2}日|[-/.]\d{1,2}[-/.]\d{1,2})`;
/** `15:01` or `15:01:30`, 24-hour. */
const TIME = String.raw`(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?`;
const TIME_VALUE = new RegExp(`^(?:${DATE}\\s*)?${TIME}$`);
const DATE_VALUE = new RegExp(`^${DATE}(?:\\s*${TIME})?$`);

const chars = (value: string) => [...value].length;
/** A range (`A~B`) is allowed for time and date; each side must be valid on its own. */
const eachSide = (value: string, check: (side: string) => boolean) =>
  value.split('~').every((side) => check(side.trim()));

const RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => chars(v) >= 1 && chars(v) <= 20,
  number: (v) => v.length <= 32 && /^\d+(?:\.\d+)?$/.test(v),
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => chars(v) <= 5 && /^[^\p{L}\p{N}\s]+$/u.test(v),
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  time: (v) => eachSide(v, (side) => TIME_VALUE.test(side)),
  date: (v) => eachSide(v, (side) => DATE_VALUE.test(side)),
  amount: (v) => /^[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?$/.test(v),
  phone_number: (v) => /^[\d+\-() ]{1,17}$/.test(v),
  car_number: (v) => chars(v) >= 1 && chars(v) <= 8,
  // "10个以内纯汉字或20个以内纯字母或符号"
  name: (v) => (HAN.test(v) ? chars(v) <= 10 : !HAS_HAN.test(v) && chars(v) >= 1 && chars(v) <= 20),
  phrase: (v) => HAN.test(v) && chars(v) <= 5,
  // The allowed values are set per template on mp.weixin.qq.com; the sandbox cannot know them.
  enum: (v) => v.length > 0,
};

/** The field type of a template data key: `character_string12` → `character_string`. */
export function fieldTypeOf(key: string): string {
  return key.replace(/\d+$/, '');
}

/** Whether the sandbox knows the field type of `key`. */
export function isKnownFieldKey(key: string): boolean {
  return fieldTypeOf(key) in RULES && /\d+$/.test(key);
}

/** Whether `value` is acceptable for the template field `key` (whose type must be known). */
export function isValidFieldValue(key: string, value: string): boolean {
  const rule = RULES[fieldTypeOf(key)];
  return rule !== undefined && rule(value);
}
