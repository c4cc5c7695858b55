import type { Logger } from '../observability/logger.js';
import { closeRedis, type Redis } from '../redis/index.js';

export type RevocationListener = (sessionId: string) => void;

/**
 * Hears about every revoked session, on any instance: `SessionStore.revoke` publishes the session id (its token
 * hash, never the token) on a prefixed channel, and each instance subscribes once. Pub/sub is at-most-once (a
 * message published while this connection reconnects is lost), so the socket gateway also re-checks sessions
 * on its heartbeat; this channel is what makes a logout close sockets at once.
 */
export interface SessionRevocations {
  /** Calls `listener` with the id of each revoked session until the returned function is called. */
  onRevoked(listener: RevocationListener): () => void;
  /** Resolves once the subscription is in place (revocations published earlier are not heard). */
  readonly ready: Promise<void>;
  /** Unsubscribes and closes the connection. Idempotent. */
  close(): Promise<void>;
}

export interface SessionRevocationsOptions {
  /** A connection of its own: a subscribed connection can run no other command. */
  subscriber: Redis;
  channel: string;
  logger: Logger;
}

export function listenForRevocations(options: SessionRevocationsOptions): SessionRevocations {
  const { subscriber, channel, logger } = options;
  const listeners = new Set<RevocationListener>();
  // Connection trouble is reported through the main client and /readyz; the heartbeat re-check covers the gap.
  subscriber.on('error', () => undefined);
  subscriber.on('message', (from: string, sessionId: string) => {
    if (from !== channel) return;
    for (const listener of listeners) listener(sessionId);
  });
  // ioredis subscribes again by itself after a reconnect (autoResubscribe); only the first attempt is awaited.
  const ready = subscriber.subscribe(channel).then(
    () => undefined,
    (err: unknown) => {
      logger.warn(
        { err: { message: (err as Error).message } },
        'session revocation channel unavailable; sockets of revoked sessions close at the next heartbeat',
      );
    },
  );
  let closing: Promise<void> | undefined;
  return {
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready,
    close() {
      closing ??= (async () => {
        listeners.clear();
        await closeRedis(subscriber);
      })();
      return closing;
    },
  };
}
