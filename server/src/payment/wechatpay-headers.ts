/**
 * Reading WeChat Pay's `Wechatpay-*` headers from either a fetch `Headers` (client responses) or Node's
 * lower-cased `IncomingHttpHeaders` (Koa's `ctx.headers`, for notifications).
 */

/** Something headers can be read from. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * The signed-message headers of a WeChat Pay response or notification. A value is `undefined` when the header is
 * missing or repeated (a repeated signing header is never legitimate).
 */
export interface WechatpaySignatureHeaders {
  serial: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  /** `Wechatpay-Signature-Type`; absent means `WECHATPAY2-SHA256-RSA2048` (as in the Go and Java SDKs). */
  signatureType: string | undefined;
}

/** Reads one header case-insensitively; a repeated header (array value) reads as `undefined`. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  let value = record[lower];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
    value = key === undefined ? undefined : record[key];
  }
  return typeof value === 'string' ? value : undefined;
}

/** Extracts the `Wechatpay-Serial/Signature/Timestamp/Nonce/Signature-Type` headers. */
export function readWechatpayHeaders(headers: HeaderSource): WechatpaySignatureHeaders {
  return {
    serial: readHeader(headers, 'Wechatpay-Serial'),
    signature: readHeader(headers, 'Wechatpay-Signature'),
    timestamp: readHeader(headers, 'Wechatpay-Timestamp'),
    nonce: readHeader(headers, 'Wechatpay-Nonce'),
    signatureType: readHeader(headers, 'Wechatpay-Signature-Type'),
  };
}
