import {
  apiClient,
  createOrder,
  eventually,
  login,
  sandboxPay,
  waitForOrder,
} from '../../support/api-client';
import { useTestServer } from '../../support/test-server';
import { SANDBOX_TEMPLATE_ID } from '../../../server/src/services';
import { openSocket } from './ws-client';

/** "Your answer is ready" subscribe messages, through the WeChat API emulator over real HTTP. */
const fixture = useTestServer({ RECONCILE_INTERVAL_MS: '50' }, { background: true });

const control = () => apiClient(fixture.server.url);

async function messagesTo(identity: string) {
  const { body } = await control().get(`/sandbox/wechat/openid?identity=${identity}`);
  const res = await control().get(`/sandbox/wechat/messages?touser=${body.openid}`);
  return res.body.messages as {
    touser: string;
    template_id: string;
    page: string;
    data: Record<string, { value: string }>;
  }[];
}

async function outcomeOf(orderId: string): Promise<string | undefined> {
  let outcome: string | undefined;
  await eventually(
    async () => {
      outcome = (await fixture.server.services.orderStore.get(orderId))?.notifyOutcome;
      return outcome !== undefined;
    },
    10_000,
    'the subscribe-message decision',
  );
  return outcome;
}

describe('subscribe messages', () => {
  it('are sent when the user left before the answer completed, and the openid is then erased', async () => {
    const identity = `left-${Date.now()}`;
    const token = await login(fixture.server.url, identity);
    await control().post('/sandbox/wechat/subscribe-grants', {
      identity,
      template_id: SANDBOX_TEMPLATE_ID,
      count: 1,
    });
    const prompt = '这是一个很长很长很长的问题，用来检查订阅消息里的内容会按微信的字数限制截断';
    const { orderId } = await createOrder(fixture.server.url, token, { prompt });
    await sandboxPay(fixture.server.url, orderId);
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'COMPLETED', 10_000);

    expect(await outcomeOf(orderId)).toBe('sent');
    const [message, ...others] = await messagesTo(identity);
    expect(others).toHaveLength(0);
    expect(message).toMatchObject({
      template_id: SANDBOX_TEMPLATE_ID,
      page: `pages/order/index?id=${orderId}`,
    });
    expect([...message!.data['thing1']!.value].length).toBeLessThanOrEqual(20);
    expect(message!.data['thing1']!.value.startsWith('这是一个很长')).toBe(true);
    expect(message!.data['time3']!.value).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
    expect((await fixture.server.services.orderStore.get(orderId))?.sealedOpenid).toBeUndefined();
  });

  it('are not sent when a socket of the user watched the answer to the end', async () => {
    const identity = `watcher-${Date.now()}`;
    const token = await login(fixture.server.url, identity);
    await control().post('/sandbox/wechat/subscribe-grants', {
      identity,
      template_id: SANDBOX_TEMPLATE_ID,
      count: 1,
    });
    const { orderId } = await createOrder(fixture.server.url, token);
    const socket = await openSocket(fixture.server.url, token);
    socket.send({ type: 'subscribe', orderId, after: 0 });
    await sandboxPay(fixture.server.url, orderId);
    await socket.waitFor((m) => m.type === 'done');
    expect(await outcomeOf(orderId)).toBe('watched');
    expect(await messagesTo(identity)).toHaveLength(0);
    await socket.close();
  });

  it('record a missing grant (43101) once, without retrying', async () => {
    const identity = `nogrant-${Date.now()}`;
    const token = await login(fixture.server.url, identity);
    const { orderId } = await createOrder(fixture.server.url, token);
    await sandboxPay(fixture.server.url, orderId);
    await waitForOrder(fixture.server.url, token, orderId, (o) => o.state === 'COMPLETED', 10_000);
    expect(await outcomeOf(orderId)).toBe('no_grant');
    expect(await fixture.redis.zscore(`${fixture.server.prefix}schedule:notify-checks`, orderId)).toBeNull();
    expect(await messagesTo(identity)).toHaveLength(0);
  });
});
