/**
 * Delivers notifications to merchants' notify URLs like WeChat Pay: POST, success only on a 2xx within the ack
 * timeout (5 s), otherwise retried on WeChat's schedule (scaled for tests) until it succeeds or the schedule ends.
 * Every attempt is logged for inspection.
 */
import type { Logger } from '../../observability/logger.js';
import type { TimerScope } from '../timer-scope.js';
import { buildNotification, notificationHeaders, type NotificationContent } from './notification-envelope.js';
import { signatureModeOf, type NotificationFault, type SignatureMode } from './notification-faults.js';
import { retryDelayMs } from './retry-schedule.js';
import type { PlatformSigningKey } from './signed-reply.js';

/** One HTTP request of a delivery. */
export interface DeliveryAttempt {
  /** 1-based attempt number (copies of one attempt share it). */
  attempt: number;
  /** 1-based copy number, present when the attempt was sent as duplicates. */
  copy?: number;
  /** When it was sent, ISO 8601 on the emulator's clock. */
  at: string;
  /** How it was signed. */
  signature: SignatureMode;
  /** The merchant's HTTP status; absent on a network error or timeout. */
  status?: number;
  /** Network error or `timeout after N ms`. */
  error?: string;
  /** Request sent → response fully read, in milliseconds. */
  latencyMs: number;
  /** True for a 2xx answer within the ack timeout. */
  ok: boolean;
  /** The first 200 characters of the merchant's answer body (e.g. `{"code":"FAIL",...}`). */
  response?: string;
}

/** Lifecycle of a delivery. */
export type DeliveryState = 'scheduled' | 'sending' | 'delivered' | 'failed' | 'dropped' | 'cancelled';

/** One notification and all its attempts. */
export interface DeliveryRecord {
  /** The notification's event id. */
  id: string;
  eventType: NotificationContent['eventType'];
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  state: DeliveryState;
  createdAt: string;
  /** The fault applied, if any. */
  fault?: NotificationFault;
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (state `scheduled`). */
  nextAttemptAt?: string;
  /**
   * Set when the merchant answered 2xx to something a correct merchant must refuse: a forged, probing or stale
   * signature, or an amount that does not match the order.
   */
  merchantAcceptedInvalid?: SignatureMode | 'wrong_amount';
}

/** Options for {@link createNotificationDeliverer}. */
export interface NotificationDelivererOptions {
  key: PlatformSigningKey;
  apiV3Key: string;
  fetch: typeof globalThis.fetch;
  now: () => number;
  /** Factor applied to the retry schedule. */
  notifyScale: number;
  /** How long the merchant has to answer, in milliseconds (WeChat: 5000). */
  ackTimeoutMs: number;
  scope: TimerScope;
  logger: Logger;
}

/** Sends notifications and keeps their delivery log. */
export interface NotificationDeliverer {
  /** Starts delivering (asynchronously) and returns the live record. */
  deliver(
    target: { url: string; outTradeNo: string; outRefundNo?: string },
    content: NotificationContent,
    fault: NotificationFault | undefined,
  ): DeliveryRecord;
  /** Snapshots of the deliveries, oldest first, optionally only those of one order. */
  list(outTradeNo?: string): DeliveryRecord[];
}

const RESPONSE_EXCERPT_CHARS = 200;

/** The resource with `amount.total` (and `payer_total`) one fen more than the real amount. */
function withWrongAmount(resource: object): object {
  const copy = structuredClone(resource) as { amount?: { total?: number; payer_total?: number } };
  if (copy.amount && typeof copy.amount.total === 'number') {
    copy.amount.total += 1;
    if (typeof copy.amount.payer_total === 'number') copy.amount.payer_total += 1;
  }
  return copy;
}

/** Creates a deliverer; all its timers and requests belong to `options.scope`. */
export function createNotificationDeliverer(options: NotificationDelivererOptions): NotificationDeliverer {
  const { key, scope, logger, now } = options;
  const records: DeliveryRecord[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  // Closing the sandbox ends every delivery still waiting for its next attempt.
  scope.signal.addEventListener('abort', () => {
    for (const record of records) {
      if (record.state === 'scheduled' || record.state === 'sending') {
        record.state = 'cancelled';
        delete record.nextAttemptAt;
      }
    }
  });

  async function sendOnce(
    record: DeliveryRecord,
    body: string,
    attempt: number,
    copy: number | undefined,
    mode: SignatureMode,
  ): Promise<boolean> {
    // Logged before signing (which runs on the thread pool) so copies appear in order.
    const log: DeliveryAttempt = {
      attempt,
      ...(copy ? { copy } : {}),
      at: iso(now()),
      signature: mode,
      latencyMs: 0,
      ok: false,
    };
    record.attempts.push(log);
    const headers = await notificationHeaders(key, body, now(), mode);
    log.at = iso(now());
    const timeout = AbortSignal.timeout(options.ackTimeoutMs);
    const started = performance.now();
    try {
      const response = await options.fetch(record.url, {
        method: 'POST',
        headers: {
          ...headers,
          'Content-Type': 'application/json',
          Accept: '*/*',
          'User-Agent': 'Mozilla/4.0',
        },
        body,
        signal: AbortSignal.any([timeout, scope.signal]),
        // WeChat does not follow redirects: a 3xx is a failed attempt.
        redirect: 'manual',
      });
      // Reading the body is part of answering within the limit.
      const text = await response.text();
      log.status = response.status;
      log.ok = response.status >= 200 && response.status <= 299;
      if (text !== '') log.response = text.slice(0, RESPONSE_EXCERPT_CHARS);
    } catch (err) {
      log.error = timeout.aborted
        ? `timeout after ${options.ackTimeoutMs} ms`
        : scope.signal.aborted
          ? 'cancelled: sandbox closed'
          : (((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    }
    log.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    logger.debug(
      {
        deliveryId: record.id,
        outTradeNo: record.outTradeNo,
        attempt,
        copy,
        status: log.status,
        error: log.error,
      },
      'sandbox notification attempt',
    );
    return log.ok;
  }

  async function runAttempt(record: DeliveryRecord, body: string, index: number): Promise<void> {
    if (scope.closed) return;
    record.state = 'sending';
    delete record.nextAttemptAt;
    const first = index === 0;
    const mode = first ? signatureModeOf(record.fault) : 'valid';
    const copies = first ? (record.fault?.duplicates ?? 1) : 1;
    const results = await Promise.all(
      Array.from({ length: copies }, (_, i) =>
        sendOnce(record, body, index + 1, copies > 1 ? i + 1 : undefined, mode),
      ),
    );
    if (scope.signal.aborted) {
      record.state = 'cancelled';
      return;
    }
    if (results.some(Boolean)) {
      record.state = 'delivered';
      if (mode !== 'valid') record.merchantAcceptedInvalid = mode;
      else if (record.fault?.wrongAmount) record.merchantAcceptedInvalid = 'wrong_amount';
      if (record.merchantAcceptedInvalid) {
        logger.warn(
          { deliveryId: record.id, outTradeNo: record.outTradeNo, accepted: record.merchantAcceptedInvalid },
          'sandbox: the merchant acknowledged a notification it should have refused',
        );
      }
      return;
    }
    const wait = retryDelayMs(index, options.notifyScale);
    if (wait === undefined) {
      record.state = 'failed';
      logger.warn(
        { deliveryId: record.id, outTradeNo: record.outTradeNo },
        'sandbox notification: retries exhausted',
      );
      return;
    }
    record.state = 'scheduled';
    record.nextAttemptAt = iso(now() + wait);
    scope.after(wait, () => runAttempt(record, body, index + 1));
  }

  return {
    deliver(target, content, fault) {
      const record: DeliveryRecord = {
        id: '',
        eventType: content.eventType,
        outTradeNo: target.outTradeNo,
        ...(target.outRefundNo !== undefined ? { outRefundNo: target.outRefundNo } : {}),
        url: target.url,
        state: 'scheduled',
        createdAt: iso(now()),
        ...(fault ? { fault: { ...fault } } : {}),
        attempts: [],
      };
      const resource = fault?.wrongAmount ? withWrongAmount(content.resource) : content.resource;
      const built = buildNotification({ ...content, resource }, options.apiV3Key, now());
      record.id = built.id;
      records.push(record);
      if (fault?.drop || scope.closed) {
        record.state = fault?.drop ? 'dropped' : 'cancelled';
        return record;
      }
      const delay = fault?.delayMs ?? 0;
      record.nextAttemptAt = iso(now() + delay);
      scope.after(delay, () => runAttempt(record, built.body, 0));
      return record;
    },

    list(outTradeNo) {
      return records
        .filter((record) => outTradeNo === undefined || record.outTradeNo === outTradeNo)
        .map((record) => structuredClone(record));
    },
  };
}
