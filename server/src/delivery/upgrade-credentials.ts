import type { IncomingMessage } from 'node:http';
import { WS_BEARER_PROTOCOL_PREFIX, WS_SUBPROTOCOL } from '@tokentill/shared-types';

/** What an upgrade request carries to authenticate: a token, none, or a token in the URL (always refused). */
export type UpgradeCredentials =
  { kind: 'token'; token: string } | { kind: 'none' } | { kind: 'token-in-url' };

/**
 * Reads the session token of a `/ws` upgrade: `Authorization: Bearer <token>` (the Mini Program: `wx.connectSocket`
 * sends headers) or the offered subprotocol `tokentill.bearer.<token>` (browsers cannot set headers on a
 * WebSocket).
 *
 * For browsers we chose the subprotocol over a short-lived ticket (`POST /api/ws-ticket`, then `?ticket=`): it is
 * a request header like the `Authorization` the H5 app already sends on every API call, so it is no more exposed
 * than that and stays out of URLs and access logs, and it needs no extra round trip before each connect and no
 * ticket state in Redis to share between instances. The server echoes `tokentill.v1` only, never the token.
 *
 * A `token` query parameter is refused outright, even beside a valid header: URLs end up in proxy and access
 * logs, and a 7-day token must not, so a client still sending one is told at once rather than silently served.
 */
export function upgradeCredentials(req: IncomingMessage): UpgradeCredentials {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.searchParams.has('token')) return { kind: 'token-in-url' };
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return { kind: 'token', token: bearer };
  const fromProtocol = offeredProtocols(req)
    .find((p) => p.startsWith(WS_BEARER_PROTOCOL_PREFIX))
    ?.slice(WS_BEARER_PROTOCOL_PREFIX.length);
  return fromProtocol ? { kind: 'token', token: fromProtocol } : { kind: 'none' };
}

/**
 * The subprotocol the server selects: {@link WS_SUBPROTOCOL} when offered. A browser that offered subprotocols
 * fails the connection unless one is echoed, and the bearer one must never be (it would put the token in a
 * response header), so anything else selects none.
 */
export function selectProtocol(offered: ReadonlySet<string>): string | false {
  return offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false;
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
