/** The identity a registered socket answers to. */
export interface RegisteredSocket {
  readonly principal: {
    readonly userKey: string;
    /** The session the socket authenticated with (its token hash, see sessions/session-store.ts). */
    readonly sessionId: string;
  };
}

/**
 * The open sockets of one instance, by user and by session: enforces the per-user cap and finds the sockets of
 * a revoked session. The cap is per instance (each instance counts its own sockets; behind a load balancer a user
 * may hold up to cap × instances), which bounds what one user can cost an instance without a shared counter.
 */
export interface SocketRegistry<T extends RegisteredSocket> {
  /**
   * Registers a new socket and returns those of the same user that must go to respect the cap, oldest first
   * (they are already unregistered): the newest socket always works, as the user's current screen is the one
   * that just connected, and a socket left behind by a dead network is the likeliest to be the oldest.
   */
  add(socket: T): T[];
  /** Unregisters a socket (idempotent). */
  remove(socket: T): void;
  /** The sockets opened with this session. */
  ofSession(sessionId: string): T[];
  /** Every session with at least one socket. */
  sessionIds(): string[];
  readonly size: number;
}

export function createSocketRegistry<T extends RegisteredSocket>(maxPerUser: number): SocketRegistry<T> {
  // Sets iterate in insertion order: the first socket of a user is its oldest.
  const byUser = new Map<string, Set<T>>();
  const bySession = new Map<string, Set<T>>();

  const addTo = (index: Map<string, Set<T>>, key: string, socket: T) => {
    const set = index.get(key) ?? new Set<T>();
    set.add(socket);
    index.set(key, set);
    return set;
  };
  const removeFrom = (index: Map<string, Set<T>>, key: string, socket: T) => {
    const set = index.get(key);
    if (!set?.delete(socket)) return;
    if (set.size === 0) index.delete(key);
  };

  const registry: SocketRegistry<T> = {
    add(socket) {
      const ofUser = addTo(byUser, socket.principal.userKey, socket);
      addTo(bySession, socket.principal.sessionId, socket);
      const evicted: T[] = [];
      for (const oldest of ofUser) {
        if (ofUser.size - evicted.length <= maxPerUser) break;
        evicted.push(oldest);
      }
      for (const old of evicted) registry.remove(old);
      return evicted;
    },
    remove(socket) {
      removeFrom(byUser, socket.principal.userKey, socket);
      removeFrom(bySession, socket.principal.sessionId, socket);
    },
    ofSession(sessionId) {
      return [...(bySession.get(sessionId) ?? [])];
    },
    sessionIds() {
      return [...bySession.keys()];
    },
    get size() {
      let count = 0;
      for (const set of byUser.values()) count += set.size;
      return count;
    },
  };
  return registry;
}
