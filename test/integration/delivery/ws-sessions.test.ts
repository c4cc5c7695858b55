import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { WS_CLOSE_CODES, WS_SUBPROTOCOL } from '@tokentill/shared-types';
import { createRedisKeys } from '../../../server/src/redis';
import { apiClient, eventually, login } from '../../support/api-client';
import { startTestServer, useTestServer, type TestServer } from '../../support/test-server';
import { connectSocket, openSocket, upgradeStatus, type TestSocket } from './ws-client';

/** How `/ws` authenticates, and how sockets end with their session or past the per-user cap: the real server. */
const fixture = useTestServer({ WS_MAX_SOCKETS_PER_USER: '2' });

function closeCode(socket: TestSocket): Promise<number> {
  if (socket.ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return new Promise((resolve) => socket.ws.once('close', (code) => resolve(code)));
}

/** A round trip on the socket: it is open and served (a malformed message is answered with an error). */
async function stillServed(socket: TestSocket): Promise<void> {
  const before = socket.messages.length;
  socket.send('not a message');
  await socket.waitFor((m) => socket.messages.indexOf(m) >= before && m.type === 'error');
}

describe('WebSocket sessions', () => {
  it('takes the token from the Authorization header or a subprotocol, and echoes only tokentill.v1', async () => {
    const token = await login(fixture.server.url);
    const viaHeader = await openSocket(fixture.server.url, token, 'header');
    expect(viaHeader.ws.protocol).toBe('');
    await stillServed(viaHeader);
    await viaHeader.close();

    const viaProtocol = await openSocket(fixture.server.url, token, 'subprotocol');
    expect(viaProtocol.ws.protocol).toBe(WS_SUBPROTOCOL);
    await stillServed(viaProtocol);
    await viaProtocol.close();
  });

  it('refuses a token in the URL with 401, even a valid one, even beside a valid header', async () => {
    const token = await login(fixture.server.url);
    const base = `${fixture.server.url.replace(/^http/, 'ws')}/ws?token=${token}`;
    expect(await upgradeStatus(new WebSocket(base))).toBe(401);
    expect(await upgradeStatus(new WebSocket(base, { headers: { authorization: `Bearer ${token}` } }))).toBe(
      401,
    );
    // The same token in a header is fine: the refusal is about where it travelled.
    expect(await upgradeStatus(connectSocket(fixture.server.url, token))).toBe(101);
  });

  describe('logout', () => {
    let other: TestServer | undefined;
    afterAll(async () => {
      await other?.close();
    });

    it('closes every socket of the revoked session, on every instance, with SESSION_ENDED', async () => {
      // A second instance of the same deployment (same Redis prefix), as behind a load balancer.
      other = await startTestServer({ REDIS_PREFIX: fixture.server.config.REDIS_PREFIX });
      const channel = createRedisKeys(fixture.server.config.REDIS_PREFIX).sessionRevocations();
      await eventually(
        async () => Number((await fixture.redis.pubsub('NUMSUB', channel))[1]) >= 2,
        5_000,
        'both instances to listen for revocations',
      );
      const identity = `user-${randomUUID()}`;
      const revoked = await login(fixture.server.url, identity);
      const kept = await login(fixture.server.url, identity);
      const onA = await openSocket(fixture.server.url, revoked);
      const onB = await openSocket(other.url, revoked, 'subprotocol');
      const sameUserOtherSession = await openSocket(other.url, kept);
      const closes = [closeCode(onA), closeCode(onB)];

      const res = await apiClient(fixture.server.url, revoked).call('DELETE', '/api/session');
      expect(res.status).toBe(204);

      expect(await Promise.all(closes)).toEqual([WS_CLOSE_CODES.SESSION_ENDED, WS_CLOSE_CODES.SESSION_ENDED]);
      await stillServed(sameUserOtherSession);
      // And the revoked token opens no new socket.
      expect(await upgradeStatus(connectSocket(other.url, revoked))).toBe(401);
      await sameUserOtherSession.close();
    });
  });

  it('closes the oldest socket of a user past WS_MAX_SOCKETS_PER_USER with REPLACED', async () => {
    const identity = `user-${randomUUID()}`;
    const token = await login(fixture.server.url, identity);
    const first = await openSocket(fixture.server.url, token);
    const second = await openSocket(fixture.server.url, await login(fixture.server.url, identity));
    const someoneElse = await openSocket(fixture.server.url, await login(fixture.server.url));
    const firstClosed = closeCode(first);

    const third = await openSocket(fixture.server.url, token);

    expect(await firstClosed).toBe(WS_CLOSE_CODES.REPLACED);
    for (const socket of [second, third, someoneElse]) await stillServed(socket);
    for (const socket of [second, third, someoneElse]) await socket.close();
  });
});
