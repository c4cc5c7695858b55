import {
  WxPayApiError,
  WxPayConnectionError,
  WxPayError,
  WxPayRequestValidationError,
  WxPayResponseSignatureError,
  WxPayTimeoutError,
  formatRfc3339Beijing,
  isRetryable,
} from '../../../server/src/payment/index.js';

describe('the retry policy', () => {
  test('retries 5xx, SYSTEM_ERROR, connection failures and timeouts', () => {
    expect(isRetryable(new WxPayApiError(500, 'SYSTEM_ERROR', 'busy', undefined, 'r'))).toBe(true);
    expect(isRetryable(new WxPayApiError(502, 'HTTP_502', 'bad gateway', undefined, undefined))).toBe(true);
    expect(isRetryable(new WxPayApiError(400, 'SYSTEM_ERROR', 'busy', undefined, undefined))).toBe(true);
    expect(isRetryable(new WxPayConnectionError('ECONNRESET'))).toBe(true);
    expect(isRetryable(new WxPayTimeoutError('timed out'))).toBe(true);
  });

  test('does not retry client errors, signature failures, local validation or foreign errors', () => {
    expect(isRetryable(new WxPayApiError(400, 'PARAM_ERROR', 'bad', undefined, undefined))).toBe(false);
    expect(isRetryable(new WxPayApiError(401, 'SIGN_ERROR', 'bad', undefined, undefined))).toBe(false);
    expect(isRetryable(new WxPayApiError(429, 'FREQUENCY_LIMITED', 'slow', undefined, undefined))).toBe(
      false,
    );
    expect(isRetryable(new WxPayResponseSignatureError('signature_probe', 'probe', 200, undefined))).toBe(
      false,
    );
    expect(isRetryable(new WxPayRequestValidationError('attach', 'too long'))).toBe(false);
    expect(isRetryable(new TypeError('fetch failed'))).toBe(false);
  });

  test('every client error is a WxPayError with its own name, and a timeout is a connection error', () => {
    const timeout = new WxPayTimeoutError('t');
    expect(timeout).toBeInstanceOf(WxPayConnectionError);
    expect(timeout).toBeInstanceOf(WxPayError);
    expect(timeout.name).toBe('WxPayTimeoutError');
    expect(new WxPayApiError(400, 'PARAM_ERROR', 'm', undefined, undefined).name).toBe('WxPayApiError');
  });
});

describe('time_expire formatting', () => {
  test('prints the instant in Beijing time with a +08:00 offset and whole seconds', () => {
    expect(formatRfc3339Beijing(new Date('2026-11-27T06:30:00.999Z'))).toBe('2026-11-27T14:30:00+08:00');
    expect(formatRfc3339Beijing(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
  });

  test('refuses an invalid Date', () => {
    expect(() => formatRfc3339Beijing(new Date('nope'))).toThrow(RangeError);
  });
});
