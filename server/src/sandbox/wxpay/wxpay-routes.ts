/**
 * HTTP face of the emulated WeChat Pay APIv3 under `/sandbox/wxpay`: every request's merchant signature is checked
 * over the path and query exactly as received, and every answer (errors included) is signed.
 */
import { Router, type RouterContext } from '@koa/router';
import type Koa from 'koa';

import type { Logger } from '../../observability/logger.js';
import { rawBodyOf } from '../raw-body.js';
import { newRequestId } from '../sandbox-ids.js';
import type { SandboxKeys } from '../sandbox-keys.js';
import type { BillService } from './bill-service.js';
import { verifyMerchantRequest } from './merchant-auth.js';
import { replySigned } from './signed-reply.js';
import { WxPayReplyError } from './wxpay-reply-error.js';
import { parseJsonObject } from './param-checks.js';
import { checkQueryMchid } from './wxpay-request-rules.js';
import type { WxPayService } from './wxpay-service.js';

/** Where the emulated APIv3 lives: `WXPAY_API_BASE` = `<origin>` + this. */
export const WXPAY_SANDBOX_PREFIX = '/sandbox/wxpay';

/** Options for {@link createWxPayRoutes}. */
export interface WxPayRoutesOptions {
  keys: SandboxKeys;
  service: WxPayService;
  now: () => number;
  logger: Logger;
  /** Serves `GET /v3/bill/tradebill` and its downloads when given. */
  bills?: BillService;
}

/** Where the emulated bill files are downloaded from (the path of `download_url`). */
const BILL_DOWNLOAD_PATH = '/v3/billdownload/file';

type Answer = { status: number; body?: unknown };
type Handler = (ctx: RouterContext, mchid: string, raw: Buffer) => Answer;

/** The WeChat Pay routes, prefixed with {@link WXPAY_SANDBOX_PREFIX}. */
export function createWxPayRoutes(options: WxPayRoutesOptions): Router {
  const { keys, service, now, logger } = options;
  const signingKey = { publicKeyId: keys.publicKeyId, privateKey: keys.wechatpayPrivateKey };
  const merchant = {
    mchid: keys.mchid,
    merchantSerial: keys.merchantSerial,
    merchantPublicKey: keys.merchantPublicKey,
  };
  const router = new Router({ prefix: WXPAY_SANDBOX_PREFIX, sensitive: true });

  const signed = (handler: Handler) => async (ctx: RouterContext) => {
    let answer: Answer;
    try {
      const raw = rawBodyOf(ctx);
      const mchid = verifyMerchantRequest(
        {
          method: ctx.method,
          // The request line as received, so a merchant signing a different path or query fails as with WeChat.
          canonicalUrl: ctx.originalUrl,
          authorization: ctx.get('Authorization') || undefined,
          body: raw,
        },
        merchant,
        now(),
      );
      answer = handler(ctx, mchid, raw);
    } catch (err) {
      if (err instanceof WxPayReplyError) {
        answer = { status: err.status, body: err.toBody() };
      } else {
        logger.error({ err, path: ctx.path }, 'sandbox wxpay handler failed');
        answer = { status: 500, body: { code: 'SYSTEM_ERROR', message: '系统错误' } };
      }
    }
    await replySigned(ctx, signingKey, now(), answer.status, answer.body);
  };
  const param = (ctx: RouterContext, name: string) => ctx.params[name] ?? '';

  router.post(
    '/v3/pay/transactions/jsapi',
    signed((_ctx, mchid, raw) => ({ status: 200, body: service.placeOrder(parseJsonObject(raw), mchid) })),
  );
  router.get(
    '/v3/pay/transactions/out-trade-no/:outTradeNo',
    signed((ctx, mchid) => {
      checkQueryMchid(ctx.query['mchid'], mchid);
      return { status: 200, body: service.queryByOutTradeNo(param(ctx, 'outTradeNo')) };
    }),
  );
  router.get(
    '/v3/pay/transactions/id/:transactionId',
    signed((ctx, mchid) => {
      checkQueryMchid(ctx.query['mchid'], mchid);
      return { status: 200, body: service.queryByTransactionId(param(ctx, 'transactionId')) };
    }),
  );
  router.post(
    '/v3/pay/transactions/out-trade-no/:outTradeNo/close',
    signed((ctx, mchid, raw) => {
      service.closeOrder(param(ctx, 'outTradeNo'), parseJsonObject(raw), mchid);
      return { status: 204 };
    }),
  );
  router.post(
    '/v3/refund/domestic/refunds',
    signed((_ctx, _mchid, raw) => ({ status: 200, body: service.requestRefund(parseJsonObject(raw)) })),
  );
  router.get(
    '/v3/refund/domestic/refunds/:outRefundNo',
    signed((ctx) => ({ status: 200, body: service.queryRefund(param(ctx, 'outRefundNo')) })),
  );
  const { bills } = options;
  if (bills) {
    router.get(
      '/v3/bill/tradebill',
      signed((ctx) => ({
        status: 200,
        body: bills.apply(
          ctx.query,
          `${ctx.protocol}://${ctx.host}${WXPAY_SANDBOX_PREFIX}${BILL_DOWNLOAD_PATH}`,
        ),
      })),
    );
    // The one answer WeChat Pay does not sign: the file's integrity is the hash_value announced above.
    router.get(BILL_DOWNLOAD_PATH, async (ctx) => {
      try {
        verifyMerchantRequest(
          {
            method: ctx.method,
            canonicalUrl: ctx.originalUrl,
            authorization: ctx.get('Authorization') || undefined,
            body: rawBodyOf(ctx),
          },
          merchant,
          now(),
        );
        const token = ctx.query['token'];
        const file = bills.download(typeof token === 'string' ? token : '');
        ctx.set('Request-ID', newRequestId());
        ctx.type = file.gzip ? 'application/x-gzip' : 'text/plain; charset=utf-8';
        ctx.body = file.body;
      } catch (err) {
        if (!(err instanceof WxPayReplyError)) throw err;
        await replySigned(ctx, signingKey, now(), err.status, err.toBody());
      }
    });
  }
  return router;
}

/** Answers an unknown `/sandbox/wxpay` path like WeChat: a signed 404 `NOT_FOUND` (405 for a wrong method). */
export async function replyWxPayNotFound(
  ctx: Koa.Context,
  keys: SandboxKeys,
  nowMs: number,
  methodNotAllowed: boolean,
): Promise<void> {
  const error = methodNotAllowed
    ? new WxPayReplyError(405, 'NOT_FOUND', `不支持的请求方法 ${ctx.method}`)
    : new WxPayReplyError(404, 'NOT_FOUND', `接口不存在: ${ctx.path.slice(WXPAY_SANDBOX_PREFIX.length)}`);
  await replySigned(
    ctx,
    { publicKeyId: keys.publicKeyId, privateKey: keys.wechatpayPrivateKey },
    nowMs,
    error.status,
    error.toBody(),
  );
}
