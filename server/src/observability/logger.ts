import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks in every log line. Request logs are built field by field (see request-log middleware), so
 * these are the second line of defence: anything that ends up logged under these names is censored.
 */
export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["wechatpay-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
  '*.sessionToken',
  '*.secret',
  '*.appSecret',
  '*.apiV3Key',
  '*.privateKey',
  '*.paySign',
  '*.signature',
  '*.openid',
  '*.session_key',
  'config.WECHAT_APPSECRET',
  'config.WXPAY_APIV3_KEY',
  'config.OPENID_HMAC_SECRET',
];

/** Structured JSON logs (pino). `destination` lets tests capture lines. */
export function createLogger(
  options: { level?: LoggerOptions['level']; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name ?? 'tokentill',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(opts, destination) : pino(opts);
}
