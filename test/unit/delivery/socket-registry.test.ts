import { createSocketRegistry } from '../../../server/src/delivery/socket-registry';

const socket = (userKey: string, sessionId: string, name: string) => ({
  name,
  principal: { userKey, sessionId },
});

describe('socket registry', () => {
  it('evicts the oldest sockets of a user past the cap, never the new one or other users’', () => {
    const registry = createSocketRegistry<ReturnType<typeof socket>>(2);
    expect(registry.add(socket('u1', 's1', 'a'))).toEqual([]);
    expect(registry.add(socket('u2', 's2', 'other user'))).toEqual([]);
    expect(registry.add(socket('u1', 's3', 'b'))).toEqual([]);
    expect(registry.add(socket('u1', 's1', 'c')).map((s) => s.name)).toEqual(['a']);
    expect(registry.add(socket('u1', 's1', 'd')).map((s) => s.name)).toEqual(['b']);
    expect(registry.size).toBe(3);
    expect(registry.ofSession('s1').map((s) => s.name)).toEqual(['c', 'd']);
    expect(registry.ofSession('s3')).toEqual([]);
    expect(registry.sessionIds().sort()).toEqual(['s1', 's2']);
  });

  it('forgets removed sockets (idempotently) and empty users and sessions', () => {
    const registry = createSocketRegistry<ReturnType<typeof socket>>(5);
    const a = socket('u1', 's1', 'a');
    registry.add(a);
    registry.remove(a);
    registry.remove(a);
    expect(registry.size).toBe(0);
    expect(registry.sessionIds()).toEqual([]);
  });
});
