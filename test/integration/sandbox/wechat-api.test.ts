import { useSandbox } from './support/sandbox-harness.js';

let clock = Date.now();
const h = useSandbox(() => ({ now: () => clock }));
beforeEach(() => {
  clock = Date.now();
});

async function wechatGet(pathAndQuery: string): Promise<any> {
  const response = await fetch(`${h.wechatBase}${pathAndQuery}`);
  expect(response.status).toBe(200); // WeChat answers 200 even for errors
  return response.json();
}

async function wechatPost(pathAndQuery: string, body: unknown): Promise<any> {
  const response = await fetch(`${h.wechatBase}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

function code2Session(code: string, overrides: Record<string, string> = {}): Promise<any> {
  const query = new URLSearchParams({
    appid: h.keys.appid,
    secret: h.keys.appSecret,
    js_code: code,
    grant_type: 'authorization_code',
    ...overrides,
  });
  return wechatGet(`/sns/jscode2session?${query}`);
}

async function stableToken(forceRefresh = false): Promise<any> {
  return wechatPost('/cgi-bin/stable_token', {
    grant_type: 'client_credential',
    appid: h.keys.appid,
    secret: h.keys.appSecret,
    force_refresh: forceRefresh,
  });
}

describe('WeChat API sandbox: jscode2session', () => {
  it('gives every code of one identity the same openid, and other identities other openids', async () => {
    const first = await code2Session('alice.1');
    const second = await code2Session('alice.2');
    const bob = await code2Session('bob.1');
    expect(first.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(second.openid).toBe(first.openid);
    expect(bob.openid).not.toBe(first.openid);
    expect(first.errcode).toBeUndefined();
    expect(Buffer.from(first.session_key, 'base64')).toHaveLength(16);
    expect(second.session_key).not.toBe(first.session_key);
    expect(h.sandbox.wechat.openidFor('alice')).toBe(first.openid);
    expect((await h.call('GET', '/sandbox/wechat/openid?identity=alice')).json).toEqual({
      openid: first.openid,
    });
  });

  it('refuses a used code with 40163 and malformed codes with 40029', async () => {
    await code2Session('carol.once');
    expect(await code2Session('carol.once')).toMatchObject({
      errcode: 40163,
      errmsg: expect.stringMatching(/^code been used/),
    });
    for (const code of ['', 'invalid-code', 'x'.repeat(129)]) {
      expect(await code2Session(code)).toMatchObject({
        errcode: 40029,
        errmsg: expect.stringMatching(/^invalid code, rid: /),
      });
    }
  });

  it('refuses a wrong appid with 40013 and a wrong secret with 40125', async () => {
    expect((await code2Session('dave.1', { appid: 'wx0000000000000000' })).errcode).toBe(40013);
    expect((await code2Session('dave.2', { secret: '0'.repeat(32) })).errcode).toBe(40125);
  });
});

describe('WeChat API sandbox: stable_token', () => {
  it('returns the same token until it nears expiry, and a new one on force_refresh', async () => {
    const first = await stableToken();
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    clock += 60_000;
    const again = await stableToken();
    expect(again).toEqual({ access_token: first.access_token, expires_in: 7140 });

    const forced = await stableToken(true);
    expect(forced.access_token).not.toBe(first.access_token);
    // A forced refresh invalidates the previous token at once.
    const stale = await wechatPost(`/cgi-bin/message/subscribe/send?access_token=${first.access_token}`, {});
    expect(stale.errcode).toBe(40001);

    clock += 7200_000 - 200_000; // within the last 5 minutes: the platform renews, the old token keeps working
    const renewed = await stableToken();
    expect(renewed.access_token).not.toBe(forced.access_token);
    expect(renewed.expires_in).toBe(7200);
  });

  it('refuses a wrong secret with 40125', async () => {
    const answer = await wechatPost('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: h.keys.appid,
      secret: 'nope',
    });
    expect(answer.errcode).toBe(40125);
  });
});

describe('WeChat API sandbox: subscribe/send', () => {
  const TEMPLATE = 'tpl_answer_ready_01';
  const message = (touser: string, data: Record<string, { value: string }>) => ({
    touser,
    template_id: TEMPLATE,
    page: 'pages/order/index?id=1',
    data,
    miniprogram_state: 'developer',
    lang: 'zh_CN',
  });
  const validData = {
    thing1: { value: '你的回答已生成' },
    character_string2: { value: 'T2026-abc' },
    time3: { value: '2026年11月27日 14:30' },
    amount4: { value: '¥3.00' },
    phrase5: { value: '已完成' },
  };

  it('checks the access token first: 41001 without one, 40001 for an unknown one', async () => {
    expect((await wechatPost('/cgi-bin/message/subscribe/send', {})).errcode).toBe(41001);
    expect(
      (await wechatPost('/cgi-bin/message/subscribe/send?access_token=forged', 'not json')).errcode,
    ).toBe(40001);
  });

  it('answers 47003 naming the key when a value breaks its type limit', async () => {
    const { access_token: token } = await stableToken();
    const openid = h.sandbox.wechat.openidFor('erin');
    h.sandbox.wechat.grantSubscribe(openid, TEMPLATE, 5);
    const send = (data: Record<string, { value: string }>) =>
      wechatPost(`/cgi-bin/message/subscribe/send?access_token=${token}`, message(openid, data));

    expect(await send({ ...validData, thing1: { value: '一'.repeat(21) } })).toMatchObject({
      errcode: 47003,
      errmsg: expect.stringMatching(/^argument invalid! data\.thing1\.value invalid/),
    });
    expect((await send({ ...validData, phrase5: { value: 'done' } })).errmsg).toMatch(
      /data\.phrase5\.value invalid/,
    );
    expect((await send({ ...validData, character_string2: { value: 'x'.repeat(33) } })).errcode).toBe(47003);
    expect((await send({ ...validData, number6: { value: '12a' } })).errmsg).toMatch(/data\.number6\.value/);
    expect((await send({ ...validData, name7: { value: '欧阳一二三四五六七八九' } })).errcode).toBe(47003);
    expect((await send({ ...validData, phone_number8: { value: '1'.repeat(18) } })).errcode).toBe(47003);
    expect((await send({ ...validData, time3: { value: '25:00' } })).errcode).toBe(47003);
    expect(h.sandbox.wechat.messages()).toHaveLength(0);
    // Refused messages do not use up grants.
    expect(h.sandbox.wechat.grants()).toEqual([{ openid, template_id: TEMPLATE, remaining: 5 }]);
  });

  it('answers 43101 without a grant, and accepts and records one message per grant', async () => {
    const { access_token: token } = await stableToken();
    const openid = (await code2Session('frank.1')).openid;
    const send = () =>
      wechatPost(`/cgi-bin/message/subscribe/send?access_token=${token}`, message(openid, validData));

    expect(await send()).toMatchObject({
      errcode: 43101,
      errmsg: expect.stringMatching(/^user refuse to accept the msg/),
    });

    const granted = await h.call('POST', '/sandbox/wechat/subscribe-grants', {
      identity: 'frank',
      template_id: TEMPLATE,
    });
    expect(granted).toEqual({
      status: 200,
      json: { openid, grants: [{ template_id: TEMPLATE, remaining: 1 }] },
    });

    const sent = await send();
    expect(sent).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    expect((await send()).errcode).toBe(43101);

    const recorded = await h.call('GET', `/sandbox/wechat/messages?touser=${openid}`);
    expect(recorded.json.messages).toEqual([
      expect.objectContaining({
        msgid: sent.msgid,
        touser: openid,
        template_id: TEMPLATE,
        page: 'pages/order/index?id=1',
        data: validData,
        miniprogram_state: 'developer',
      }),
    ]);
  });

  it('answers 40003 for a touser that is not an openid', async () => {
    const { access_token: token } = await stableToken();
    const answer = await wechatPost(
      `/cgi-bin/message/subscribe/send?access_token=${token}`,
      message('nobody', validData),
    );
    expect(answer.errcode).toBe(40003);
  });

  it('answers an unknown WeChat API path with 40066', async () => {
    expect((await wechatGet('/sns/jsCode2session')).errcode).toBe(40066);
  });
});
