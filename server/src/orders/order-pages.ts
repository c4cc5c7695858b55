import type { Redis } from '../redis/index.js';

/**
 * Where a listing stopped: the last order shown, by its score in the user's index (creation time, ms) and its
 * id. Orders created in the same millisecond share a score; Redis orders those by id, so (score, id) is a
 * total order and a page never repeats or skips one, even while new orders arrive at the top.
 */
export interface OrderPosition {
  score: number;
  id: string;
}

/** The cursor a client gets back (`nextCursor`): `<score>.<id>`, matching shared-types' OrderListQuerySchema. */
export function encodeOrderCursor(position: OrderPosition): string {
  return `${position.score}.${position.id}`;
}

/** The position in a cursor the query schema accepted (`\d+\.<id>`). */
export function decodeOrderCursor(cursor: string): OrderPosition {
  const dot = cursor.indexOf('.');
  return { score: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
}

/**
 * Up to `limit` members of a sorted set, highest score first, strictly after `before` in that order (ties on the
 * score in descending member order, as ZREVRANGEBYSCORE returns them), and the position to continue from when
 * more remain. Paging by score rather than by rank keeps pages stable while orders are added at the top.
 */
export async function pageOfIndex(
  redis: Redis,
  key: string,
  limit: number,
  before?: OrderPosition,
): Promise<{ ids: string[]; next: OrderPosition | undefined }> {
  const max = before ? String(before.score) : '+inf';
  // Members sharing the cursor's score come first in the range and some of them were shown already: read past
  // all of them (there are rarely more than one), plus one more than the page to know whether another follows.
  const ties = before ? await redis.zcount(key, before.score, before.score) : 0;
  const flat = await redis.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, ties + limit + 1);
  const entries: OrderPosition[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const id = flat[i]!;
    const score = Number(flat[i + 1]);
    if (before && score === before.score && id >= before.id) continue;
    entries.push({ score, id });
  }
  const page = entries.slice(0, limit);
  const last = page[page.length - 1];
  return { ids: page.map((e) => e.id), next: entries.length > limit && last ? last : undefined };
}
