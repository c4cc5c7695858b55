/**
 * HTTP face of the emulated WeChat server API under `/sandbox/wechat` (`WECHAT_API_BASE`), plus the sandbox's
 * controls for it: subscribe grants (what the H5 build's `requestSubscribeMessage` adapter calls) and the log of
 * accepted messages.
 */
import { Router, type RouterContext } from '@koa/router';

import type { Logger } from '../../observability/logger.js';
import { ControlError, controlRoute, readControlJson } from '../control-route.js';
import { rawBodyOf } from '../raw-body.js';
import { identityOfCode } from './wechat-identity.js';
import { WechatApiError, type WechatService } from './wechat-service.js';

/** Where the emulated WeChat API lives: `WECHAT_API_BASE` = `<origin>` + this. */
export const WECHAT_SANDBOX_PREFIX = '/sandbox/wechat';

/**
 * Answers as WeChat does: HTTP 200 whatever happened, `{errcode, errmsg}` on failure (`-1 system error` for
 * anything unexpected).
 */
function wechatRoute(logger: Logger, handler: (ctx: RouterContext) => unknown) {
  return (ctx: RouterContext) => {
    try {
      ctx.body = handler(ctx);
    } catch (err) {
      if (!(err instanceof WechatApiError))
        logger.error({ err, path: ctx.path }, 'sandbox wechat handler failed');
      ctx.body =
        err instanceof WechatApiError ? err.toBody() : new WechatApiError(-1, 'system error').toBody();
    }
    ctx.status = 200;
  };
}

/** JSON body of a WeChat API call; anything unparsable is WeChat's 47001. */
function wechatJson(ctx: RouterContext): unknown {
  try {
    return JSON.parse(rawBodyOf(ctx).toString('utf8'));
  } catch {
    throw new WechatApiError(47001, 'data format error');
  }
}

/** Resolves the user of a control request: `openid`, or a login `identity`, or a login `code`. */
function openidOf(body: Record<string, unknown>, service: WechatService): string {
  const { openid, identity, code } = body;
  if (typeof openid === 'string' && openid !== '') return openid;
  if (typeof identity === 'string' && identity !== '') return service.openidFor(identity);
  if (typeof code === 'string' && code !== '') return service.openidFor(identityOfCode(code));
  throw new ControlError(400, 'BAD_REQUEST', 'Give the user as openid, identity or code');
}

/** The WeChat API routes and their controls, prefixed with {@link WECHAT_SANDBOX_PREFIX}. */
export function createWechatRoutes(service: WechatService, logger: Logger): Router {
  const router = new Router({ prefix: WECHAT_SANDBOX_PREFIX, sensitive: true });

  router.get(
    '/sns/jscode2session',
    wechatRoute(logger, (ctx) => service.code2Session(ctx.query)),
  );
  router.post(
    '/cgi-bin/stable_token',
    wechatRoute(logger, (ctx) => service.stableToken(wechatJson(ctx))),
  );
  router.post(
    '/cgi-bin/message/subscribe/send',
    wechatRoute(logger, (ctx) => {
      // The body is read lazily: the token is checked first, so a bad token is 40001 whatever the body holds.
      return service.sendSubscribeMessage(ctx.query['access_token'], () => wechatJson(ctx));
    }),
  );

  // Control: POST {openid | identity | code, template_id | template_ids, count?} adds one-time grants.
  router.post(
    '/subscribe-grants',
    controlRoute(logger, (ctx) => {
      const body = readControlJson(ctx);
      const openid = openidOf(body, service);
      const ids =
        body['template_ids'] ?? (body['template_id'] === undefined ? undefined : [body['template_id']]);
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
        throw new ControlError(
          400,
          'BAD_REQUEST',
          'Give template_id (string) or template_ids (array of strings)',
        );
      }
      const count = body['count'] ?? 1;
      const grants = (ids as string[]).map((templateId) => ({
        template_id: templateId,
        remaining: service.grantSubscribe(openid, templateId, count as number),
      }));
      return { openid, grants };
    }),
  );
  router.get(
    '/subscribe-grants',
    controlRoute(logger, () => ({ grants: service.grants() })),
  );
  router.get(
    '/messages',
    controlRoute(logger, (ctx) => {
      const touser = ctx.query['touser'];
      return { messages: service.messages(typeof touser === 'string' ? touser : undefined) };
    }),
  );
  router.delete(
    '/messages',
    controlRoute(logger, () => {
      service.clearMessages();
      return null;
    }),
  );
  // Control: the openid a login identity (or code) maps to, e.g. to grant or inspect before logging in.
  router.get(
    '/openid',
    controlRoute(logger, (ctx) => {
      const { identity, code } = ctx.query;
      return { openid: openidOf({ identity, code }, service) };
    }),
  );
  return router;
}
