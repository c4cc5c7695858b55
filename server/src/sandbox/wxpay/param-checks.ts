/**
 * Field checks shared by the WeChat Pay request validators: each throws `PARAM_ERROR` worded like WeChat's, naming
 * the field by its path in the body (`amount/total`).
 */
import { checkNotifyUrl } from '../../payment/index.js';
import { WxPayReplyError, paramError } from './wxpay-reply-error.js';

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/**
 * Parses a JSON request body.
 *
 * @throws WxPayReplyError `PARAM_ERROR` for anything but a JSON object.
 */
export function parseJsonObject(raw: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WxPayReplyError(400, 'PARAM_ERROR', '请求体不是合法的JSON', {
      location: 'body',
      issue: 'invalid JSON',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WxPayReplyError(400, 'PARAM_ERROR', '请求体必须是JSON对象', {
      location: 'body',
      issue: 'not an object',
    });
  }
  return value as Json;
}

/** JSON with object keys sorted at every level: equal for bodies that differ only in key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `amount/total` → `amount.total`, for the English explanations. */
export const dotted = (path: string) => path.replaceAll('/', '.');

/**
 * A required string field. `label` is WeChat's Chinese name of the field, used in the message.
 *
 * @param path the field's path in the body (`payer/openid`), for messages; defaults to `key`.
 */
export function requireString(obj: Json, key: string, label: string, path = key): string {
  const value = obj[key];
  if (value === undefined || value === null) {
    throw paramError(path, label, '为必填参数，请求中缺失', `${dotted(path)} is required`);
  }
  if (typeof value !== 'string') {
    throw paramError(path, label, '类型错误，应为字符串', `${dotted(path)} must be a string`);
  }
  return value;
}

/** An optional string field: `undefined` when absent, else checked like {@link requireString}. */
export function optionalString(obj: Json, key: string, label: string): string | undefined {
  return obj[key] === undefined ? undefined : requireString(obj, key, label);
}

/** Checks a length in characters (WeChat counts a CJK character as one) or in UTF-8 bytes. */
export function checkLength(
  field: string,
  label: string,
  value: string,
  min: number,
  max: number,
  unit: 'chars' | 'bytes',
) {
  const length = unit === 'chars' ? [...value].length : Buffer.byteLength(value, 'utf8');
  const cn = unit === 'chars' ? '字符数' : '字节数';
  if (length < min) {
    throw paramError(
      field,
      label,
      `字符串规则校验失败，${cn} ${length}，小于最小值 ${min}`,
      `${dotted(field)} must be at least ${min} ${unit}, got ${length}`,
    );
  }
  if (length > max) {
    throw paramError(
      field,
      label,
      `字符串规则校验失败，${cn} ${length}，大于最大值 ${max}`,
      `${dotted(field)} must be at most ${max} ${unit}, got ${length}`,
    );
  }
}

/** A required object field (`amount`, `payer`). */
export function requireObject(body: Json, field: string, label: string): Json {
  const value = body[field];
  if (value === undefined || value === null) {
    throw paramError(field, label, '为必填参数，请求中缺失', `${field} is required`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw paramError(field, label, '类型错误，应为对象', `${field} must be an object`);
  }
  return value as Json;
}

/** A required positive integer amount in fen; `path` is its place in the body (`amount/total`). */
export function requireFen(obj: Json, path: string, key: string, label: string): number {
  const value = obj[key];
  if (value === undefined || value === null) {
    throw paramError(path, label, '为必填参数，请求中缺失', `${dotted(path)} is required`);
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw paramError(
      path,
      label,
      '类型错误，应为整数',
      `${dotted(path)} must be an integer number of fen, got ${JSON.stringify(value)}`,
    );
  }
  if (value < 1) {
    throw paramError(
      path,
      label,
      `数值规则校验失败，${value}，小于最小值 1`,
      `${dotted(path)} must be positive, got ${value}`,
    );
  }
  return value;
}

/** `amount.currency`: absent (CNY) or exactly `CNY`, the only currency of a domestic merchant. */
export function checkCurrency(amount: Json, path: string): string {
  const currency = amount['currency'];
  if (currency === undefined) return 'CNY';
  if (currency !== 'CNY') {
    throw paramError(
      path,
      '货币类型',
      '取值错误，境内商户号仅支持人民币CNY',
      `${dotted(path)} must be "CNY"`,
    );
  }
  return currency;
}

/** A notify URL by WeChat's rules, except that plain http and local hosts are allowed in the sandbox. */
export function checkNotify(field: string, value: string): string {
  // http is allowed because sandboxed servers listen on plain HTTP; every other rule (no query string, length,
  // no fragment or credentials) is WeChat's.
  const check = checkNotifyUrl(value, { allowInsecureLocal: true });
  if (!check.ok) throw paramError(field, '通知地址', '格式错误', check.message);
  return value;
}
