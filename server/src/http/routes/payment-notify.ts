import { Router } from '@koa/router';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PaymentEvents } from '../../orders/index.js';
import {
  NOTIFICATION_FAILURE_BODY,
  NotificationError,
  openNotification,
  type WechatpayVerifier,
} from '../../payment/index.js';
import { readRawBody } from '../raw-body.js';

export interface PaymentNotifyDeps {
  verifier: WechatpayVerifier;
  apiV3Key: string;
  payments: PaymentEvents;
  metrics: Metrics;
  logger: Logger;
}

/** Notifications are a few KB; anything much larger is not WeChat Pay. */
const NOTIFY_BODY_LIMIT = 64 * 1024;

/**
 * `POST /api/pay/wxpay/notify`: WeChat Pay's payment and refund notifications. Verify the signature over the raw
 * bytes, then decrypt, then apply; 204 on success and on duplicates, 4xx/5xx with `{"code":"FAIL"}` otherwise so
 * WeChat retries. Mounted before the JSON body parser. No session: WeChat calls it, not a user.
 */
export function paymentNotifyRoutes(deps: PaymentNotifyDeps): Router {
  const router = new Router();
  router.post('/api/pay/wxpay/notify', async (ctx) => {
    const started = performance.now();
    const finish = (kind: string, outcome: string, status: number) => {
      deps.metrics.paymentNotifications.inc({ kind, outcome });
      deps.metrics.paymentNotificationDuration.observe({ outcome }, (performance.now() - started) / 1000);
      ctx.status = status;
      if (status === 204) ctx.body = null;
      else ctx.body = NOTIFICATION_FAILURE_BODY;
    };

    const raw = await readRawBody(ctx.req, NOTIFY_BODY_LIMIT);
    let notification;
    try {
      notification = openNotification(ctx.headers, raw, { verifier: deps.verifier, apiV3Key: deps.apiV3Key });
    } catch (err) {
      if (!(err instanceof NotificationError)) throw err;
      // Each rejection has its own reason in the log and the metrics: probes, stale replays, forgeries, key errors.
      deps.logger.warn(
        { requestId: ctx.state.requestId, reason: err.reason, serial: ctx.get('wechatpay-serial') },
        `payment notification rejected: ${err.reason}`,
      );
      finish('rejected', err.reason, err.httpStatus);
      return;
    }

    if (notification.kind === 'refund') {
      const outcome = await deps.payments.applyRefund(notification.resource);
      finish('refund', outcome, 204);
      return;
    }
    const outcome = await deps.payments.applyTransaction(notification.resource, 'notify');
    deps.logger.info(
      { requestId: ctx.state.requestId, orderId: notification.resource.out_trade_no, outcome },
      'payment notification',
    );
    // A mismatch or an unknown order is refused (4xx) and flagged: never credited, and visible in WeChat's retries.
    finish('transaction', outcome, outcome === 'mismatch' || outcome === 'unknown_order' ? 400 : 204);
  });
  return router;
}
