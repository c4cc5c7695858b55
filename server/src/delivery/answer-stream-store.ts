import type { OrderState } from '@tokentill/shared-types';
import { redisScripts, type Redis, type RedisKeys } from '../redis/index.js';

/**
 * An order's answer as a Redis Stream whose entry ids are `0-<seq>`: numbered, ordered, replayable from any
 * point. Entries are text, resets (the answer starts over) and state changes (written by the order state
 * machine's scripts). Writers are fenced by generation attempt, so a worker that lost its job cannot write.
 */
export type AnswerEntry =
  | { seq: number; kind: 'text'; text: string }
  | { seq: number; kind: 'reset'; reason: string }
  | { seq: number; kind: 'state'; state: OrderState };

export interface AnswerStreamStore {
  /** Appends text (or a reset) for `attempt`; undefined when the attempt no longer owns the order. */
  append(
    orderId: string,
    attempt: number,
    entry: { text: string } | { reset: string },
  ): Promise<number | undefined>;
  /** Entries after `afterSeq`, oldest first. */
  read(orderId: string, afterSeq: number, limit?: number): Promise<AnswerEntry[]>;
}

/** Turns XRANGE/XREAD field lists into entries. */
export function parseAnswerEntry(id: string, fields: string[]): AnswerEntry | undefined {
  const seq = Number(id.split('-')[1]);
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i] as string] = fields[i + 1] as string;
  const value = values['v'] ?? '';
  switch (values['k']) {
    case 't':
      return { seq, kind: 'text', text: value };
    case 'r':
      return { seq, kind: 'reset', reason: value };
    case 's':
      return { seq, kind: 'state', state: value as OrderState };
    default:
      return undefined;
  }
}

export function createAnswerStreamStore(redis: Redis, keys: RedisKeys): AnswerStreamStore {
  const scripts = redisScripts(redis);
  return {
    async append(orderId, attempt, entry) {
      const [kind, value] = 'text' in entry ? ['t', entry.text] : ['r', entry.reset];
      const seq = (await scripts.run(
        'appendAnswer',
        [keys.order(orderId), keys.orderStream(orderId)],
        [attempt, kind, value],
      )) as number;
      return seq > 0 ? seq : undefined;
    },
    async read(orderId, afterSeq, limit = 10_000) {
      const rows = await redis.xrange(keys.orderStream(orderId), `(0-${afterSeq}`, '+', 'COUNT', limit);
      return rows
        .map(([id, fields]) => parseAnswerEntry(id, fields))
        .filter((e): e is AnswerEntry => e !== undefined);
    },
  };
}
