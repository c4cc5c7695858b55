import type { IncomingMessage } from 'node:http';
import { WS_SUBPROTOCOL } from '@tokentill/shared-types';
import { selectProtocol, upgradeCredentials } from '../../../server/src/delivery/upgrade-credentials';

const TOKEN = 'A'.repeat(43);
const request = (url: string, headers: Record<string, string> = {}) =>
  ({ url, headers }) as unknown as IncomingMessage;

describe('upgrade credentials', () => {
  it('reads the token from Authorization: Bearer', () => {
    expect(upgradeCredentials(request('/ws', { authorization: `Bearer ${TOKEN}` }))).toEqual({
      kind: 'token',
      token: TOKEN,
    });
  });

  it('reads the token from the offered tokentill.bearer.<token> subprotocol', () => {
    const headers = { 'sec-websocket-protocol': `${WS_SUBPROTOCOL}, tokentill.bearer.${TOKEN}` };
    expect(upgradeCredentials(request('/ws', headers))).toEqual({ kind: 'token', token: TOKEN });
  });

  it('flags a token in the URL, whatever else the request carries', () => {
    expect(upgradeCredentials(request(`/ws?token=${TOKEN}`))).toEqual({ kind: 'token-in-url' });
    expect(upgradeCredentials(request(`/ws?token=${TOKEN}`, { authorization: `Bearer ${TOKEN}` })).kind).toBe(
      'token-in-url',
    );
  });

  it('finds none without a header or bearer subprotocol', () => {
    expect(upgradeCredentials(request('/ws'))).toEqual({ kind: 'none' });
    expect(upgradeCredentials(request('/ws', { 'sec-websocket-protocol': WS_SUBPROTOCOL }))).toEqual({
      kind: 'none',
    });
    expect(upgradeCredentials(request('/ws', { authorization: 'Basic abc' }))).toEqual({ kind: 'none' });
  });

  it('selects tokentill.v1 and never the protocol carrying the token', () => {
    expect(selectProtocol(new Set([`tokentill.bearer.${TOKEN}`, WS_SUBPROTOCOL]))).toBe(WS_SUBPROTOCOL);
    expect(selectProtocol(new Set([`tokentill.bearer.${TOKEN}`]))).toBe(false);
  });
});
