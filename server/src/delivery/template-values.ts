/**
 * Fits values into WeChat subscribe-message template fields, whose limits depend on the field type named by
 * the key (`thing1`, `time2`, …): a value over the limit makes WeChat refuse the whole message (47003).
 * Limits: docs/wechat-protocols.md, "Subscribe messages".
 */
const CHAR_LIMITS: Record<string, number> = {
  thing: 20,
  character_string: 32,
  number: 32,
  letter: 32,
  phone_number: 17,
  car_number: 8,
  name: 10,
  phrase: 5,
};

function typeOf(key: string): string {
  return key.replace(/\d+$/, '');
}

function truncate(value: string, limit: number): string {
  const chars = [...value.replace(/\s+/g, ' ').trim()];
  return chars.length <= limit ? chars.join('') : `${chars.slice(0, limit - 1).join('')}…`;
}

/** `2026年11月27日 14:05` in China time, the format WeChat's `time` fields accept. */
export function formatWeChatTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The value WeChat will accept for `key`, derived from `raw`. */
export function fitTemplateValue(key: string, raw: string): string {
  const type = typeOf(key);
  if (type === 'character_string') return truncate(raw.replace(/[^\x21-\x7e]/g, ''), 32);
  if (type === 'phrase') return truncate(raw.replace(/[^\u4e00-\u9fff]/g, ''), 5) || '已完成';
  if (type === 'amount') return raw;
  const limit = CHAR_LIMITS[type];
  return limit === undefined ? raw : truncate(raw, limit) || '-';
}
