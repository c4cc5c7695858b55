/**
 * Pushes virtual-payment events to the configured push URL like WeChat: signed (and in safe mode encrypted) in
 * the configured format, each attempt signed afresh, a 2xx acknowledgement within the timeout counted as
 * delivered, otherwise retried — three tries in all (5 s each; 3 s for the iOS refund inquiry). Every attempt is
 * logged for inspection.
 */
import { randomInt } from 'node:crypto';

import type { Logger } from '../../observability/logger.js';
import {
  resolvePushConfig,
  sealPush,
  type IosRefundQueryAnswer,
  type PushFormat,
  type PushMode,
  type ResolvedPushConfig,
} from '../../xpay/index.js';
import type { TimerScope } from '../timer-scope.js';
import type { XPaySandboxCredentials } from './xpay-credentials.js';
import { isPushAck, readIosRefundAnswer } from './xpay-push-acks.js';
import { forgeryOf, type XPayFault, type XPayPushForgery } from './xpay-push-faults.js';

/** Tries per push (WeChat's passive-reply rule: the first send and two more). */
export const XPAY_PUSH_MAX_ATTEMPTS = 3;
/** Waits before the 2nd and 3rd tries, in ms (× notifyScale): the 2, 4, 8… of the pushes' RetryTimes. */
export const XPAY_PUSH_RETRY_GAPS_MS: readonly number[] = Object.freeze([2_000, 4_000]);
/** Apple's inquiry must be answered within 3 s. */
export const IOS_INQUIRY_TIMEOUT_MS = 3_000;

/** Where and how pushes go: the console's 消息推送 settings. */
export interface XPayPushSettings {
  /** Unset: nothing is pushed (the merchant must poll query_order). */
  url?: string;
  mode: PushMode;
  format: PushFormat;
}

export interface XPayPushAttempt {
  attempt: number;
  copy?: number;
  at: string;
  forgery: XPayPushForgery;
  status?: number;
  error?: string;
  ok: boolean;
  /** The first 200 characters of the answer. */
  response?: string;
  /** Why a 2xx answer did not count (not an acknowledgement, an unreadable inquiry answer). */
  refused?: string;
  latencyMs: number;
}

export type XPayPushState =
  'scheduled' | 'sending' | 'delivered' | 'failed' | 'dropped' | 'cancelled' | 'not_configured';

export interface XPayPushRecord {
  id: string;
  event: string;
  outTradeNo: string;
  refundOrderId?: string;
  url?: string;
  mode: PushMode;
  format: PushFormat;
  state: XPayPushState;
  createdAt: string;
  fault?: XPayFault;
  attempts: XPayPushAttempt[];
  /** Set when the merchant acknowledged a forged attempt it should have refused. */
  merchantAcceptedInvalid?: XPayPushForgery;
  /** The merchant's answer to an iOS refund inquiry, when one was read. */
  answer?: IosRefundQueryAnswer;
  answerEnvelope?: 'wrapped' | 'bare';
}

/** The message, or a function of the retry number (events carrying `RetryTimes` change it per retry). */
export type PushMessage = Record<string, unknown> | ((retry: number) => Record<string, unknown>);

/** What a push expects back. */
export type XPayPushKind = 'ack' | 'ios_inquiry';

export interface XPayPushDelivererOptions {
  credentials: XPaySandboxCredentials;
  settings: () => XPayPushSettings;
  fetch: typeof globalThis.fetch;
  now: () => number;
  notifyScale: number;
  ackTimeoutMs: number;
  scope: TimerScope;
  logger: Logger;
}

export interface XPayPushDeliverer {
  /**
   * Starts pushing `message` (asynchronously) and returns the live record; `onDone` runs once it is delivered or
   * has failed (not for dropped, unconfigured or cancelled pushes).
   */
  deliver(
    message: PushMessage,
    target: { kind: XPayPushKind; outTradeNo: string; refundOrderId?: string },
    fault: XPayFault | undefined,
    onDone?: (record: XPayPushRecord) => void,
  ): XPayPushRecord;
  list(outTradeNo?: string): XPayPushRecord[];
}

const EXCERPT = 200;
const MAX_RECORDS = 10_000;
const STALE_SECONDS = 600;
const OTHER_APPID = 'wxffffffffffffffff';

export function createXPayPushDeliverer(options: XPayPushDelivererOptions): XPayPushDeliverer {
  const { credentials, scope, logger, now } = options;
  const records: XPayPushRecord[] = [];
  let sequence = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  scope.signal.addEventListener('abort', () => {
    for (const record of records)
      if (record.state === 'scheduled' || record.state === 'sending') record.state = 'cancelled';
  });

  const configFor = (mode: PushMode, appid = credentials.appid): ResolvedPushConfig =>
    resolvePushConfig({ token: credentials.pushToken, encodingAesKey: credentials.pushAesKey, appid, mode });

  async function sendOnce(
    record: XPayPushRecord,
    message: Record<string, unknown>,
    kind: XPayPushKind,
    attempt: number,
    copy: number | undefined,
    forgery: XPayPushForgery,
  ): Promise<boolean> {
    const encrypted = record.mode !== 'plaintext';
    const applied: XPayPushForgery = forgery === 'wrong_appid' && !encrypted ? 'none' : forgery;
    const log: XPayPushAttempt = {
      attempt,
      ...(copy ? { copy } : {}),
      at: iso(now()),
      forgery: applied,
      ok: false,
      latencyMs: 0,
    };
    record.attempts.push(log);
    const nowS = Math.floor(now() / 1000);
    const nonce = String(randomInt(1e9, 1e10));
    const sealed = sealPush(
      message,
      configFor(record.mode, applied === 'wrong_appid' ? OTHER_APPID : credentials.appid),
      {
        format: record.format,
        encrypted,
        timestamp: applied === 'stale_timestamp' ? nowS - STALE_SECONDS : nowS,
        nonce,
        ...(typeof message['OpenId'] === 'string' ? { openid: message['OpenId'] } : {}),
      },
    );
    if (applied === 'bad_signature') {
      // Well-formed SHA-1 hex that does not verify.
      sealed.query['signature'] = 'f'.repeat(40);
      if (sealed.query['msg_signature']) sealed.query['msg_signature'] = '0'.repeat(40);
    }
    const url = new URL(record.url ?? '');
    for (const [key, value] of Object.entries(sealed.query)) url.searchParams.set(key, value);

    const timeoutMs =
      kind === 'ios_inquiry' ? Math.min(IOS_INQUIRY_TIMEOUT_MS, options.ackTimeoutMs) : options.ackTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    try {
      const response = await options.fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': record.format === 'json' ? 'application/json' : 'text/xml',
          'User-Agent': 'Mozilla/4.0',
        },
        body: sealed.body,
        signal: AbortSignal.any([timeout, scope.signal]),
        redirect: 'manual',
      });
      const text = await response.text();
      log.status = response.status;
      if (text !== '') log.response = text.slice(0, EXCERPT);
      if (response.status >= 200 && response.status <= 299) {
        if (kind === 'ack') {
          log.ok = isPushAck(text, record.format);
          if (!log.ok)
            log.refused = 'not an acknowledgement (empty, "success" or ErrCode 0 in the push format)';
        } else {
          const reading = readIosRefundAnswer(
            text,
            { format: record.format, encrypted, nonce },
            configFor(record.mode),
          );
          log.ok = reading.ok;
          if (reading.ok) {
            record.answer = reading.answer;
            record.answerEnvelope = reading.envelope;
          } else {
            log.refused = reading.problem;
          }
        }
      }
    } catch (err) {
      log.error = timeout.aborted
        ? `timeout after ${timeoutMs} ms`
        : scope.signal.aborted
          ? 'cancelled: sandbox closed'
          : (((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    }
    log.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    logger.debug(
      { pushId: record.id, event: record.event, attempt, copy, status: log.status, error: log.error },
      'sandbox xpay push attempt',
    );
    return log.ok;
  }

  async function runAttempt(
    record: XPayPushRecord,
    message: PushMessage,
    kind: XPayPushKind,
    index: number,
    onDone: ((record: XPayPushRecord) => void) | undefined,
  ): Promise<void> {
    if (scope.closed) return;
    record.state = 'sending';
    const first = index === 0;
    const forgery = first ? forgeryOf(record.fault) : 'none';
    const copies = first ? (record.fault?.duplicates ?? 1) : 1;
    const content = typeof message === 'function' ? message(index) : message;
    const results = await Promise.all(
      Array.from({ length: copies }, (_, i) =>
        sendOnce(record, content, kind, index + 1, copies > 1 ? i + 1 : undefined, forgery),
      ),
    );
    if (scope.signal.aborted) {
      record.state = 'cancelled';
      return;
    }
    if (results.some(Boolean)) {
      record.state = 'delivered';
      const applied = record.attempts.find((a) => a.attempt === index + 1)?.forgery ?? 'none';
      if (applied !== 'none') {
        record.merchantAcceptedInvalid = applied;
        logger.warn(
          { pushId: record.id, forgery: applied },
          'sandbox: the merchant acknowledged a forged xpay push',
        );
      }
      onDone?.(record);
      return;
    }
    const gap = XPAY_PUSH_RETRY_GAPS_MS[index];
    if (gap === undefined || index + 1 >= XPAY_PUSH_MAX_ATTEMPTS) {
      record.state = 'failed';
      logger.warn({ pushId: record.id, event: record.event }, 'sandbox xpay push: tries exhausted');
      onDone?.(record);
      return;
    }
    record.state = 'scheduled';
    scope.after(Math.round(gap * options.notifyScale), () =>
      runAttempt(record, message, kind, index + 1, onDone),
    );
  }

  return {
    deliver(message, target, fault, onDone) {
      const settings = options.settings();
      sequence += 1;
      const record: XPayPushRecord = {
        id: `xpay-push-${sequence}`,
        event: String((typeof message === 'function' ? message(0) : message)['Event']),
        outTradeNo: target.outTradeNo,
        ...(target.refundOrderId !== undefined ? { refundOrderId: target.refundOrderId } : {}),
        ...(settings.url !== undefined ? { url: settings.url } : {}),
        mode: settings.mode,
        format: settings.format,
        state: 'scheduled',
        createdAt: iso(now()),
        ...(fault ? { fault: { ...fault } } : {}),
        attempts: [],
      };
      records.push(record);
      if (records.length > MAX_RECORDS) records.shift();
      if (settings.url === undefined) record.state = 'not_configured';
      else if (fault?.drop) record.state = 'dropped';
      else if (scope.closed) record.state = 'cancelled';
      else scope.after(0, () => runAttempt(record, message, target.kind, 0, onDone));
      return record;
    },

    list(outTradeNo) {
      return records
        .filter((record) => outTradeNo === undefined || record.outTradeNo === outTradeNo)
        .map((record) => structuredClone(record));
    },
  };
}
