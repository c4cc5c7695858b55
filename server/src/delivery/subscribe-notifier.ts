import type { OpenidVault } from '../identity/openid-vault.js';
import type { Logger } from '../observability/logger.js';
import type { OrderRecord, OrderStore } from '../orders/index.js';
import type { Redis, RedisKeys } from '../redis/index.js';
import {
  WECHAT_ERRCODES,
  WeChatApiError,
  type AccessTokenCache,
  type WeChatApiClient,
} from '../wechat/index.js';
import type { AnswerStreamStore } from './answer-stream-store.js';
import { fitTemplateValue, formatWeChatTime } from './template-values.js';

/** What a template field can show. */
export type TemplateSource = 'prompt' | 'answer' | 'tier' | 'completedAt' | 'price' | 'status';

export interface SubscribeTemplate {
  templateId: string;
  /** Template key (e.g. `thing1`) → what to put in it. */
  data: Record<string, TemplateSource>;
  /** Where a tap leads: the order page. */
  page: (orderId: string) => string;
  miniprogramState: 'developer' | 'trial' | 'formal';
}

/**
 * Tells a user who left that their answer is ready, with a WeChat subscribe message, unless a socket of theirs
 * watched the answer to the end. Runs a few seconds after completion (from the reconciler's schedule) so a
 * watching socket has had time to receive `done`. No grant (43101) or invalid data (47003) is recorded and
 * final; other failures are retried with backoff. The openid handed over at completion is erased once the
 * decision is made (it also expires by itself).
 */
export interface SubscribeNotifier {
  /** Called when an order completes. */
  schedule(orderId: string): Promise<void>;
  process(orderId: string): Promise<void>;
}

export interface SubscribeNotifierDeps {
  redis: Redis;
  keys: RedisKeys;
  store: OrderStore;
  answers: AnswerStreamStore;
  wechat: WeChatApiClient;
  tokens: AccessTokenCache;
  vault: OpenidVault;
  logger: Logger;
  /** Undefined: the feature is off and openids are erased at once. */
  template: SubscribeTemplate | undefined;
  /** How long after completion the check runs. */
  graceMs?: number;
}

const MAX_ATTEMPTS = 6;

export function createSubscribeNotifier(deps: SubscribeNotifierDeps): SubscribeNotifier {
  const { redis, keys, store, logger } = deps;
  const graceMs = deps.graceMs ?? 3_000;

  async function valueOf(source: TemplateSource, order: OrderRecord): Promise<string> {
    switch (source) {
      case 'prompt':
        return order.prompt;
      case 'answer': {
        let text = '';
        for (const entry of await deps.answers.read(order.id, 0, 200)) {
          if (entry.kind === 'text') text += entry.text;
          if (entry.kind === 'reset') text = '';
          if (text.length > 64) break;
        }
        return text;
      }
      case 'tier':
        return order.tierTitle;
      case 'completedAt':
        return formatWeChatTime(order.at.COMPLETED ?? Date.now());
      case 'price':
        return `¥${(order.priceFen / 100).toFixed(2)}`;
      case 'status':
        return '回答已生成';
    }
  }

  async function done(order: OrderRecord, outcome: string): Promise<void> {
    // Off the schedule first, the outcome last: whoever sees the outcome sees a finished decision.
    await redis.zrem(keys.notifyChecks(), order.id);
    await store.eraseHandedOverOpenid(order.id);
    await store.setFields(order.id, { notifyOutcome: outcome });
  }

  async function send(order: OrderRecord, template: SubscribeTemplate, openid: string): Promise<void> {
    const data: Record<string, { value: string }> = {};
    for (const [key, source] of Object.entries(template.data)) {
      data[key] = { value: fitTemplateValue(key, await valueOf(source, order)) };
    }
    const message = {
      touser: openid,
      template_id: template.templateId,
      page: template.page(order.id),
      data,
      miniprogram_state: template.miniprogramState,
      lang: 'zh_CN' as const,
    };
    try {
      await deps.wechat.sendSubscribeMessage(await deps.tokens.get(), message);
    } catch (err) {
      const stale =
        err instanceof WeChatApiError &&
        [WECHAT_ERRCODES.INVALID_CREDENTIAL, WECHAT_ERRCODES.ACCESS_TOKEN_EXPIRED].includes(
          err.errcode as 40001,
        );
      if (!stale) throw err;
      await deps.wechat.sendSubscribeMessage(await deps.tokens.refresh(), message);
    }
  }

  return {
    async schedule(orderId) {
      if (!deps.template) {
        await store.eraseHandedOverOpenid(orderId);
        return;
      }
      await redis.zadd(keys.notifyChecks(), Date.now() + graceMs, orderId);
    },

    async process(orderId) {
      const order = await store.get(orderId);
      const template = deps.template;
      if (!order || order.state !== 'COMPLETED' || !template) {
        await redis.zrem(keys.notifyChecks(), orderId);
        return;
      }
      if (await redis.exists(keys.orderWatched(orderId))) return done(order, 'watched');
      // COMPLETED erased the openid from the order and handed it over, briefly, for this message alone.
      const sealedOpenid = await store.handedOverOpenid(orderId);
      if (!sealedOpenid) return done(order, 'no_openid');
      const attempt = order.notifyAttempts ?? 0;
      try {
        await send(order, template, deps.vault.open(sealedOpenid));
        logger.info({ orderId }, 'subscribe message sent');
        return done(order, 'sent');
      } catch (err) {
        if (err instanceof WeChatApiError && err.errcode === WECHAT_ERRCODES.NO_SUBSCRIPTION_GRANT) {
          return done(order, 'no_grant');
        }
        if (err instanceof WeChatApiError && err.errcode === WECHAT_ERRCODES.ARGUMENT_INVALID) {
          logger.error(
            { orderId, errmsg: err.errmsg },
            'subscribe message refused: check the template mapping',
          );
          return done(order, 'invalid_data');
        }
        if (attempt + 1 >= MAX_ATTEMPTS) {
          logger.error(
            { orderId, err: { message: (err as Error).message } },
            'subscribe message failed; giving up',
          );
          return done(order, 'failed');
        }
        logger.warn(
          { orderId, attempt, err: { message: (err as Error).message } },
          'subscribe message failed; will retry',
        );
        await store.setFields(orderId, { notifyAttempts: attempt + 1 });
        await redis.zadd(
          keys.notifyChecks(),
          Date.now() + Math.min(5_000 * 2 ** attempt, 10 * 60_000),
          orderId,
        );
      }
    },
  };
}
