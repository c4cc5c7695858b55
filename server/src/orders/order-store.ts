import { FINAL_ORDER_STATES, ORDER_STATES, type OrderState } from '@tokentill/shared-types';
import { redisScripts, type Redis, type RedisKeys } from '../redis/index.js';
import { isOrderId } from './order-id.js';
import { pageOfIndex, type OrderPosition } from './order-pages.js';
import { TRANSITIONS, type OrderEvent } from './order-state.js';

/** An order as stored: one Redis hash per order. Times are epoch milliseconds. */
export interface OrderRecord {
  id: string;
  state: OrderState;
  userKey: string;
  tier: string;
  tierTitle: string;
  priceFen: number;
  prompt: string;
  createdAt: number;
  updatedAt: number;
  /** Latest time the user can pay (WeChat Pay `time_expire`). */
  payBy: number;
  /** The payer's openid, sealed; erased once the order no longer needs it. */
  sealedOpenid?: string;
  prepayId?: string;
  transactionId?: string;
  /** How the payment became known: 'notify' (callback) or 'query' (confirm/reconciler). */
  paidVia?: string;
  outRefundNo?: string;
  /** Why the order is being refunded: 'generation_failed', 'paid_after_close' or 'unknown_order'. */
  refundReason?: string;
  /** When WeChat Pay accepted the refund request (set once; later checks only query). */
  refundSubmittedAt?: number;
  /** Follow-up checks made so far (payment or refund), for backoff. */
  checkAttempts?: number;
  /** Subscribe-message sends tried so far (its own counter: payment checks must not use up its retries). */
  notifyAttempts?: number;
  /** Generation attempts started so far (each worker that takes the order starts one). */
  attempt?: number;
  /** The model that answered, and the tokens of that answering call alone. */
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** True when the provider reported no usage and it was estimated from the text. */
  usageEstimated?: string;
  /** What the answering call alone cost (fen, 4 decimals). */
  answerCostFen?: number;
  /**
   * Everything this order cost in model calls (fen): the answering call, models cut mid-answer before it, and
   * the calls of earlier generation attempts whose worker died. Added to as each call ends (`addSpend`), never
   * overwritten. A call still streaming when its worker died is not counted (no one is left to report it).
   */
  costFen?: number;
  /** 'canary' when the tier's staged-rollout chain answered. */
  route?: string;
  /** What became of the subscribe message: sent, watched (not needed), no_grant, invalid_data, failed. */
  notifyOutcome?: string;
  /** When each state was entered. */
  at: Partial<Record<OrderState, number>>;
}

/** Fields written by the code (not the state machine). */
export type OrderFields = Partial<
  Pick<
    OrderRecord,
    | 'prepayId'
    | 'transactionId'
    | 'paidVia'
    | 'outRefundNo'
    | 'refundReason'
    | 'refundSubmittedAt'
    | 'checkAttempts'
    | 'notifyAttempts'
    | 'model'
    | 'promptTokens'
    | 'completionTokens'
    | 'usageEstimated'
    | 'answerCostFen'
    | 'route'
    | 'notifyOutcome'
  >
>;

export type TransitionOutcome =
  | { ok: true; from: OrderState; to: OrderState; seq: number }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'invalid'; current: OrderState }
  | { ok: false; reason: 'stale_attempt'; currentAttempt: number };

export type GenerationStart =
  | { ok: true; attempt: number; resumed: boolean; resetSeq: number | undefined }
  | { ok: false; state: OrderState | undefined; budgetSpent?: true };

export interface TransitionOptions {
  /** Written in the same step as the state change. */
  fields?: OrderFields;
  /** Only if this generation attempt still owns the order (fences a worker that lost its job). */
  attempt?: number;
}

/** KEYS[1] order hash, ARGV[1] fen to add to its `costFen`. */
const ADD_SPEND = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBYFLOAT', KEYS[1], 'costFen', ARGV[1]) end`;

/** How long a completed order's sealed openid waits for its subscribe message before it expires by itself. */
const OPENID_HANDOVER_SECONDS = 24 * 3600;

export interface OrderStore {
  /** Stores a new order; false (and nothing written) if an order with this id exists already. */
  create(order: Omit<OrderRecord, 'updatedAt' | 'at'>): Promise<boolean>;
  /** The order, or undefined if there is none or `id` is not one of our order ids. */
  get(id: string): Promise<OrderRecord | undefined>;
  /** Applies `event` with one compare-and-set on the current state, and appends it to the answer stream. */
  transition(id: string, event: OrderEvent, options?: TransitionOptions): Promise<TransitionOutcome>;
  /**
   * A worker takes the order's generation: PAID → GENERATING (attempt 1), or a new attempt on an order already
   * GENERATING whose previous worker died. `resetSeq` is set when the old attempt's text had to be discarded.
   * Past `attemptBudget` attempts the order is failed instead (`budgetSpent`): it must be refunded.
   */
  startGeneration(id: string, attemptBudget: number): Promise<GenerationStart>;
  setFields(id: string, fields: OrderFields): Promise<void>;
  /**
   * Adds `fen` to the order's model spend (`costFen`) in one atomic step (HINCRBYFLOAT), so attempts and workers
   * add up instead of overwriting each other. Nothing is written for an order that no longer exists.
   */
  addSpend(id: string, fen: number): Promise<void>;
  eraseSealedOpenid(id: string): Promise<void>;
  /** The sealed openid a COMPLETED order handed over for its subscribe message, if it is still there. */
  handedOverOpenid(id: string): Promise<string | undefined>;
  eraseHandedOverOpenid(id: string): Promise<void>;
  /** The user's most recent orders, newest first. */
  listForUser(userKey: string, limit: number): Promise<OrderRecord[]>;
  /** One page of the user's orders, newest first, strictly older than `before` (see order-pages.ts). */
  pageForUser(userKey: string, limit: number, before?: OrderPosition): Promise<OrderPage>;
}

const NUMBER_FIELDS = new Set([
  'priceFen',
  'createdAt',
  'updatedAt',
  'payBy',
  'refundSubmittedAt',
  'checkAttempts',
  'notifyAttempts',
  'attempt',
  'promptTokens',
  'completionTokens',
  'answerCostFen',
  'costFen',
]);

function toRecord(hash: Record<string, string>): OrderRecord | undefined {
  if (!hash['id'] || !hash['state']) return undefined;
  const record: Record<string, unknown> = { at: {} };
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('at:')) (record['at'] as Record<string, number>)[field.slice(3)] = Number(value);
    else record[field] = NUMBER_FIELDS.has(field) ? Number(value) : value;
  }
  if (!(ORDER_STATES as readonly string[]).includes(hash['state'])) return undefined;
  return record as unknown as OrderRecord;
}

function flatten(fields: OrderFields): string[] {
  return Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
}

export function createOrderStore(
  redis: Redis,
  keys: RedisKeys,
  options: { retentionSeconds: number },
): OrderStore {
  const scripts = redisScripts(redis);
  return {
    async create(order) {
      const fields: (string | number)[] = [];
      for (const [k, v] of Object.entries(order)) if (v !== undefined) fields.push(k, v as string | number);
      fields.push('updatedAt', order.createdAt, `at:${order.state}`, order.createdAt);
      const created = await scripts.run(
        'createOrder',
        [keys.order(order.id)],
        [options.retentionSeconds, ...fields],
      );
      if (created !== 1) return false;
      // Another hash slot on Cluster: the user's index is only a listing, written after the order exists.
      const userOrders = keys.userOrders(order.userKey);
      await redis
        .multi()
        .zadd(userOrders, order.createdAt, order.id)
        .expire(userOrders, options.retentionSeconds)
        .exec();
      return true;
    },

    async get(id) {
      if (!isOrderId(id)) return undefined;
      return toRecord(await redis.hgetall(keys.order(id)));
    },

    async transition(id, event, { fields = {}, attempt } = {}) {
      const rule = TRANSITIONS[event];
      const final = FINAL_ORDER_STATES.includes(rule.to);
      // The openid is needed to pay and to answer (redaction); after that only the subscribe message wants it.
      const eraseOpenid = final || rule.to === 'FAILED';
      const result = (await scripts.run(
        'transition',
        [keys.order(id), keys.orderStream(id), keys.orderOpenidHandover(id)],
        [
          rule.from.join(','),
          rule.to,
          Date.now(),
          attempt === undefined ? '' : attempt,
          final ? options.retentionSeconds : 0,
          eraseOpenid ? 1 : 0,
          rule.to === 'COMPLETED' ? OPENID_HANDOVER_SECONDS : 0,
          ...flatten(fields),
        ],
      )) as [number, string?, number?];
      switch (result[0]) {
        case 1:
          return { ok: true, from: result[1] as OrderState, to: rule.to, seq: Number(result[2]) };
        case -1:
          return { ok: false, reason: 'not_found' };
        case -3:
          return { ok: false, reason: 'stale_attempt', currentAttempt: Number(result[1]) };
        default:
          return { ok: false, reason: 'invalid', current: result[1] as OrderState };
      }
    },

    async startGeneration(id, attemptBudget) {
      const result = (await scripts.run(
        'startGeneration',
        [keys.order(id), keys.orderStream(id)],
        [Date.now(), attemptBudget],
      )) as [number, number | string];
      if (result[0] === -4) return { ok: false, state: 'FAILED', budgetSpent: true };
      if (result[0] < 0)
        return { ok: false, state: result[0] === -2 ? (result[1] as OrderState) : undefined };
      const resetSeq = Number(result[1]);
      return {
        ok: true,
        attempt: result[0],
        resumed: result[0] > 1,
        resetSeq: resetSeq > 0 ? resetSeq : undefined,
      };
    },

    async setFields(id, fields) {
      const flat = flatten(fields);
      if (flat.length > 0) await redis.hset(keys.order(id), ...flat);
    },

    async addSpend(id, fen) {
      // Only on an existing hash: a bare HINCRBYFLOAT would recreate an expired order as a stub with no TTL.
      await redis.eval(ADD_SPEND, 1, keys.order(id), String(fen));
    },

    async eraseSealedOpenid(id) {
      await redis.hdel(keys.order(id), 'sealedOpenid');
    },

    async handedOverOpenid(id) {
      return (await redis.get(keys.orderOpenidHandover(id))) ?? undefined;
    },

    async eraseHandedOverOpenid(id) {
      await redis.del(keys.orderOpenidHandover(id));
    },

    async listForUser(userKey, limit) {
      const ids = await redis.zrevrange(keys.userOrders(userKey), 0, limit - 1);
      const hashes = await Promise.all(ids.map((id) => redis.hgetall(keys.order(id))));
      return hashes.map(toRecord).filter((r): r is OrderRecord => r !== undefined);
    },

    async pageForUser(userKey, limit, before) {
      const { ids, next } = await pageOfIndex(redis, keys.userOrders(userKey), limit, before);
      const hashes = await Promise.all(ids.map((id) => redis.hgetall(keys.order(id))));
      // An order past its retention is gone from Redis while its id may linger in the index: the page is
      // shorter, and `next` (from the index) still leads on.
      return { orders: hashes.map(toRecord).filter((r): r is OrderRecord => r !== undefined), next };
    },
  };
}

/** A page of a user's orders and where the next one starts (undefined on the last page). */
export interface OrderPage {
  orders: OrderRecord[];
  next: OrderPosition | undefined;
}
