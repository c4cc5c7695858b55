import { WsClientMessageSchema, WsServerMessageSchema } from '@tokentill/shared-types';

describe('WebSocket protocol schemas', () => {
  it('defaults a subscription to the start of the answer', () => {
    expect(WsClientMessageSchema.parse({ type: 'subscribe', orderId: 'ord_12345678' })).toEqual({
      type: 'subscribe',
      orderId: 'ord_12345678',
      after: 0,
    });
  });

  it('rejects a negative or fractional resume point and unknown message types', () => {
    expect(
      WsClientMessageSchema.safeParse({ type: 'subscribe', orderId: 'ord_12345678', after: -1 }).success,
    ).toBe(false);
    expect(
      WsClientMessageSchema.safeParse({ type: 'subscribe', orderId: 'ord_12345678', after: 1.5 }).success,
    ).toBe(false);
    expect(WsClientMessageSchema.safeParse({ type: 'hack', orderId: 'ord_12345678' }).success).toBe(false);
  });

  it('round-trips every server message type through JSON', () => {
    const messages = [
      { type: 'chunk', orderId: 'ord_12345678', seq: 1, text: '你好' },
      { type: 'state', orderId: 'ord_12345678', state: 'GENERATING' },
      { type: 'done', orderId: 'ord_12345678', usage: { promptTokens: 12, completionTokens: 34 } },
      { type: 'error', code: 'NOT_FOUND', message: 'No such order.' },
    ];
    for (const message of messages) {
      expect(WsServerMessageSchema.parse(JSON.parse(JSON.stringify(message)))).toEqual(message);
    }
    expect(
      WsServerMessageSchema.safeParse({ type: 'chunk', orderId: 'ord_12345678', seq: 0, text: '' }).success,
    ).toBe(false);
  });
});
