import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderListResponse, OrderView, TiersResponse } from '@tokentill/shared-types';
import type { Request } from 'playwright-core';
import { expectedMockAnswer } from '../../server/src/mock-model';
import { closeRedis, createRedis, type Redis } from '../../server/src/redis';
import { DEFAULT_REDIS_URL } from '../../scripts/lib/local-redis';
import { apiClient, waitForOrder } from '../support/api-client';
import { deletePrefix } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';
import { MOBILE, openBrowser, resetScreenshots, screenshot, type BrowserSession } from './support/browser';
import {
  answerSamples,
  lastStateAboveComposer,
  lastStateIs,
  pageSessionToken,
  RECORD_ANSWER_TEXTS,
  RECORD_ROOT_FONT_SIZES,
  rootFontSizes,
  textOf,
  waitForValue,
  yuan,
} from './support/h5-app';

/**
 * The Mini Program's H5 build in headless Chromium against the real server (sandbox mode: WeChat Pay emulator,
 * mock model, in-process worker): log in, pick a tier, pay, watch the answer stream, reload mid-stream; cancel a
 * payment; a failed answer refunded; the orders pages. Screenshots of each state go to test-output/screenshots/.
 *
 * The scenarios run in order in one browser (one sandbox user): the orders page lists what the others bought.
 */

const PROMPTS = {
  paid: '用三句话介绍一下长城的历史',
  cancelled: '明天北京需要带伞吗？',
  refunded: '推荐三本适合入门的经济学书',
};

/** The basic tier as configured in config/tokentill.sandbox.json: its first model and system prompt. */
const BASIC = {
  id: 'basic',
  model: 'mock-fast',
  systemPrompt: '你是一个简洁、可靠的助手。',
  maxTokens: 1024,
};

function expectedAnswer(prompt: string): string {
  return expectedMockAnswer(
    [
      { role: 'system', content: BASIC.systemPrompt },
      { role: 'user', content: prompt },
    ],
    BASIC.model,
    BASIC.maxTokens,
  );
}

/** The text a client assembles from an order's chunks (a reset starts over). */
function assembled(order: OrderView): string {
  let text = '';
  for (const chunk of order.chunks ?? []) text = chunk.reset ? '' : text + chunk.text;
  return text;
}

let server: TestServer;
let redis: Redis;
let browser: BrowserSession;
let token: string;
const orderIds: Record<keyof typeof PROMPTS, string | undefined> = {
  paid: undefined,
  cancelled: undefined,
  refunded: undefined,
};

beforeAll(async () => {
  if (!existsSync(join(__dirname, '..', '..', 'miniprogram', 'dist-h5', 'index.html'))) {
    throw new Error('No H5 build to test: run `npm run build:h5 -w miniprogram` first');
  }
  resetScreenshots();
  // ~96 tokens at 25/s: the answer takes ~4 s to stream, long enough to reload in the middle of it.
  server = await startTestServer({ SANDBOX_MODEL_TOKENS_PER_SECOND: '25', SANDBOX_MODEL_TTFT_MS: '300' });
  await server.services.startBackgroundWork();
  redis = createRedis(process.env['REDIS_URL'] || DEFAULT_REDIS_URL);
  browser = await openBrowser();
  await browser.context.addInitScript(RECORD_ANSWER_TEXTS);
  await browser.context.addInitScript(RECORD_ROOT_FONT_SIZES);
}, 30_000);

afterAll(async () => {
  await browser?.browser.close();
  await server?.close();
  if (redis) {
    if (server) await deletePrefix(redis, server.prefix);
    await closeRedis(redis);
  }
});

/** Clicks the pay button and returns the order the app created for it (from its `POST /api/orders`). */
async function payAndGetOrderId(): Promise<string> {
  const page = browser.page;
  const created = page.waitForResponse(
    (res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/orders',
  );
  await page.locator('.pay-button').click();
  const response = await created;
  expect(response.status()).toBe(201);
  const body = (await response.json()) as { orderId: string };
  await page.locator('.pay-sheet-confirm').waitFor({ state: 'visible' });
  return body.orderId;
}

async function typePrompt(prompt: string): Promise<void> {
  const input = browser.page.locator('.prompt-input textarea');
  await input.fill(prompt);
  expect(await input.inputValue()).toBe(prompt);
}

it('logs in, shows the tiers, pays, streams the answer and survives a reload mid-stream', async () => {
  const { page } = browser;

  // The server itself serves the H5 build at / (same origin as /api, /ws, /sandbox).
  const index = await fetch(`${server.url}/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toMatch(/text\/html/);
  expect(await index.text()).toContain('<div id="app">');

  await page.goto(`${server.url}/`);

  // The tiers with their prices, as the server offers them.
  const { tiers } = (await apiClient(server.url).get<TiersResponse>('/api/tiers')).body;
  expect(tiers.length).toBeGreaterThanOrEqual(2);
  const options = page.locator('.tier-option');
  await waitForValue(
    () => options.count(),
    (n) => n === tiers.length,
    10_000,
    'the tiers',
  );
  for (const [i, tier] of tiers.entries()) {
    const text = await textOf(options.nth(i));
    expect(text).toContain(tier.title);
    expect(text).toContain(yuan(tier.priceFen));
  }

  // Logged in automatically: a session the server accepts.
  token = await waitForValue(
    () => pageSessionToken(page),
    (t) => t !== undefined,
    10_000,
    'the sandbox login',
  ).then((t) => t!);
  expect((await apiClient(server.url, token).get('/api/orders')).status).toBe(200);
  await screenshot(page, '01-tiers');

  // The rem base is set once, before the first paint, from the viewport width (40px per 750 design px): no
  // 20px first guess corrected after load, which made the whole layout jump. (Taro's own script re-measured
  // 500 ms after a resize: wait past that.)
  await page.waitForTimeout(600);
  expect(await rootFontSizes(page)).toEqual([`${(40 * MOBILE.viewport.width) / 750}px`]);

  // Nothing to pay for without a question.
  const payButton = page.locator('.pay-button');
  expect(await payButton.getAttribute('disabled')).not.toBeNull();

  // Picking a tier changes what the button charges.
  const basicIndex = tiers.findIndex((t) => t.id === BASIC.id);
  const other = tiers.find((t) => t.id !== BASIC.id)!;
  await options.nth(tiers.indexOf(other)).click();
  await waitForValue(
    () => textOf(payButton),
    (t) => t.includes(yuan(other.priceFen)),
    5_000,
    'the other tier',
  );
  await options.nth(basicIndex).click();
  const basicPrice = yuan(tiers[basicIndex]!.priceFen);
  await waitForValue(
    () => textOf(payButton),
    (t) => t.includes(basicPrice),
    5_000,
    'the basic tier',
  );

  await typePrompt(PROMPTS.paid);
  await page.locator('.pay-button:not([disabled])').waitFor();
  await screenshot(page, '02-prompt-typed');

  // The H5 pay sheet: amount and what is bought.
  const orderId = await payAndGetOrderId();
  orderIds.paid = orderId;
  const sheet = await textOf(page.locator('.pay-sheet'));
  expect(sheet).toContain(basicPrice);
  expect(sheet).toContain(tiers[basicIndex]!.title);
  await screenshot(page, '03-pay-sheet');

  // A late payment notification and a slow confirm: the app must say it is waiting for the payment to confirm.
  expect(
    (await apiClient(server.url).post('/sandbox/faults', { out_trade_no: orderId, delayMs: 1_500 })).status,
  ).toBe(200);
  await page.route('**/api/orders/*/confirm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.fallback();
  });
  await page.locator('.pay-sheet-confirm').click();
  await lastStateIs(page, 'waiting').waitFor({ timeout: 5_000 });
  await page.getByText('等待支付确认').waitFor();
  await screenshot(page, '04-waiting-for-payment');

  // Then generating, the text streaming in.
  const expected = expectedAnswer(PROMPTS.paid);
  const answerText = page.locator('.answer-text').last();
  await lastStateIs(page, 'generating').waitFor({ timeout: 10_000 });
  await waitForValue(
    () => textOf(answerText),
    (t) => t.length >= 12,
    10_000,
    'some streamed text',
  );
  await screenshot(page, '05-generating');
  await page.unroute('**/api/orders/*/confirm');

  // Reload while the answer is still being written (checked on the server, not just on screen).
  const midStream = (await apiClient(server.url, token).get<OrderView>(`/api/orders/${orderId}`)).body;
  expect(midStream.state).toBe('GENERATING');
  expect(assembled(midStream).length).toBeLessThan(expected.length);
  const beforeReload = await answerSamples(page);
  await page.reload();

  // After the reload the answer picks up again, still mid-stream.
  await answerText.waitFor({ state: 'visible', timeout: 10_000 });
  await screenshot(page, '06-after-reload-mid-stream');
  await lastStateIs(page, 'completed').waitFor({ timeout: 15_000 });
  const afterReload = await answerSamples(page);

  // The whole answer, exactly once: what the server holds for the order, and what the mock was asked to say.
  const final = await waitForOrder(server.url, token, orderId, (o) => o.state === 'COMPLETED', 5_000);
  expect(assembled(final)).toBe(expected);
  expect(await textOf(answerText)).toBe(expected);
  expect(await page.locator('.answer-text').count()).toBe(1);
  expect(await page.locator('.answer-cursor').count()).toBe(0);
  // Every text shown on the way only ever grew by appending: no chunk shown twice, none skipped, even briefly.
  for (const sample of [...beforeReload, ...afterReload]) expect(expected.startsWith(sample)).toBe(true);
  expect(beforeReload.length).toBeGreaterThan(0);
  // The reload landed mid-stream: the reloaded page showed partial text before the whole answer.
  expect(afterReload.some((s) => s.length < expected.length)).toBe(true);
  expect(afterReload.at(-1)).toBe(expected);
  await screenshot(page, '07-done');
}, 45_000);

it('payment cancelled on the pay sheet: nothing charged, the prompt kept', async () => {
  const { page } = browser;
  const payCalls: Request[] = [];
  const onRequest = (req: Request) => {
    if (new URL(req.url()).pathname === '/sandbox/pay') payCalls.push(req);
  };
  page.on('request', onRequest);
  try {
    await typePrompt(PROMPTS.cancelled);
    const orderId = await payAndGetOrderId();
    orderIds.cancelled = orderId;
    await page.locator('.pay-sheet-cancel').click();

    await lastStateIs(page, 'cancelled').waitFor({ timeout: 5_000 });
    await page.locator('.pay-sheet-confirm').waitFor({ state: 'detached' });
    await page.getByText('已取消支付，未扣款').waitFor();
    expect(await page.locator('.prompt-input textarea').inputValue()).toBe(PROMPTS.cancelled);
    await page.locator('.pay-button:not([disabled])').waitFor();
    // The conversation followed the bubble as its message grew: its status line is in view.
    await lastStateAboveComposer(page);
    await screenshot(page, '08-cancelled');

    // Nothing paid: no payment was played, the order is still unpaid on the server and in WeChat Pay.
    expect(payCalls).toHaveLength(0);
    const order = (await apiClient(server.url, token).get<OrderView>(`/api/orders/${orderId}`)).body;
    expect(order.state).toBe('CREATED');
    const sandbox = (await apiClient(server.url).get('/sandbox/state')).body as {
      orders: { outTradeNo?: string; out_trade_no?: string; tradeState: string }[];
    };
    const trade = sandbox.orders.find((o) => (o.outTradeNo ?? o.out_trade_no) === orderId);
    expect(trade?.tradeState).toBe('NOTPAY');
  } finally {
    page.off('request', onRequest);
  }
}, 20_000);

it('a failed answer is refunded, and says so', async () => {
  const { page } = browser;
  const model = apiClient(server.url);
  for (const name of ['mock-fast', 'mock-backup']) {
    expect((await model.post('/sandbox/model/faults', { kind: 'http_500', model: name })).status).toBe(201);
  }
  try {
    await typePrompt(PROMPTS.refunded);
    const orderId = await payAndGetOrderId();
    orderIds.refunded = orderId;
    await page.locator('.pay-sheet-confirm').click();

    await lastStateIs(page, 'refunded').waitFor({ timeout: 20_000 });
    const order = await waitForOrder(server.url, token, orderId, (o) => o.state === 'REFUNDED', 5_000);
    // The amount sent back: the order's price.
    await page.getByText(`生成失败，${yuan(order.priceFen)} 已原路退回`).waitFor();
    await lastStateAboveComposer(page);
    await screenshot(page, '09-refunded');

    const sandbox = (await model.get('/sandbox/state')).body as {
      refunds: { outTradeNo: string; refund: number; total: number; status: string }[];
    };
    const refunds = sandbox.refunds.filter((r) => r.outTradeNo === orderId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ refund: order.priceFen, total: order.priceFen, status: 'SUCCESS' });

    // The retry path: "重新提问" puts the question back in the box.
    await page.locator('.prompt-input textarea').fill('');
    await page.locator('.retry-button').last().click();
    await waitForValue(
      () => page.locator('.prompt-input textarea').inputValue(),
      (v) => v === PROMPTS.refunded,
      5_000,
      'the question back in the prompt box',
    );
  } finally {
    await fetch(`${server.url}/sandbox/model/faults`, { method: 'DELETE' });
  }
}, 30_000);

it('the orders page lists the orders with their states, and opens one with its answer', async () => {
  const { page } = browser;
  const listed = (await apiClient(server.url, token).get<OrderListResponse>('/api/orders')).body.orders;
  expect(listed.map((o) => o.orderId).sort()).toStrictEqual(
    [orderIds.paid, orderIds.cancelled, orderIds.refunded].sort(),
  );

  await page.locator('.weui-tabbar__label', { hasText: /^订单$/ }).click();
  const cards = page.locator('.order-card');
  await waitForValue(
    () => cards.count(),
    (n) => n === listed.length,
    10_000,
    'the order cards',
  );
  const expectedStates: Record<string, string> = {
    [orderIds.paid!]: 'completed',
    [orderIds.cancelled!]: 'created',
    [orderIds.refunded!]: 'refunded',
  };
  for (const order of listed) {
    const card = cards.filter({ hasText: order.prompt });
    expect(await card.count()).toBe(1);
    expect(await card.locator(`.order-state--${expectedStates[order.orderId]}`).count()).toBe(1);
    const text = await textOf(card);
    expect(text).toContain(order.tierTitle);
    expect(text).toContain(yuan(order.priceFen));
  }
  // The cancelled payment reads as not paid and not charged, not as money owed.
  const unpaidCard = await textOf(cards.filter({ hasText: PROMPTS.cancelled }));
  expect(unpaidCard).toContain('未支付');
  expect(unpaidCard).toContain('未扣款');
  expect(unpaidCard).not.toContain('待支付');
  await screenshot(page, '10-orders');

  await cards.filter({ hasText: PROMPTS.paid }).click();
  const detailAnswer = page.locator('.answer-text:visible');
  await detailAnswer.waitFor({ state: 'visible', timeout: 10_000 });
  await page.locator('.order-state--completed:visible').first().waitFor();
  await waitForValue(
    () => textOf(detailAnswer),
    (t) => t === expectedAnswer(PROMPTS.paid),
    5_000,
    'the whole answer on the order page',
  );
  // A title, the order number for customer service, and the state shown once (the header's badge).
  await page.locator('.back-bar__title:visible', { hasText: '订单详情' }).waitFor();
  await page.locator('.order-number:visible', { hasText: orderIds.paid! }).waitFor();
  // (Taro keeps the orders tab rendered under the detail page: count within the detail page.)
  expect(await page.locator('.order-page .order-state', { hasText: '已完成' }).count()).toBe(1);
  await screenshot(page, '11-order-detail');

  // "‹ 返回订单" goes back to the list (the tab bar is hidden on the detail page): the detail page goes away
  // (after Taro's slide-out) and the list and tab bar are what is left.
  // Tap it as a person would, once the detail page has finished sliding in over the list: Taro 4.2.1's router
  // hides the list ~350 ms after opening the detail page on a timer that going back does not cancel, so a back
  // tap within that time leaves a blank list (Taro's own back button and the browser's too).
  const visibleCards = page.locator('.order-card:visible');
  await waitForValue(
    () => visibleCards.count(),
    (n) => n === 0,
    5_000,
    'the list hidden behind the detail page',
  );
  await page.locator('.back-bar__back:visible').click();
  await page.locator('.order-page').waitFor({ state: 'detached', timeout: 5_000 });
  await waitForValue(
    () => visibleCards.count(),
    (n) => n === listed.length,
    5_000,
    'the orders list after going back',
  );

  // Reloaded on the detail page (or opened from a link), there is no page to go back to: it switches to the list.
  await visibleCards.filter({ hasText: PROMPTS.refunded }).click();
  await page.locator('.order-state--refunded:visible').first().waitFor({ timeout: 5_000 });
  await page.reload();
  await page.locator('.order-state--refunded:visible').first().waitFor({ timeout: 10_000 });
  const refunded = listed.find((o) => o.orderId === orderIds.refunded)!;
  await page.getByText(`生成失败，${yuan(refunded.priceFen)} 已原路退回`).waitFor();
  await screenshot(page, '12-order-detail-reloaded');
  await page.locator('.back-bar__back:visible').click();
  await page.locator('.order-page').waitFor({ state: 'detached', timeout: 10_000 });
  await waitForValue(
    () => visibleCards.count(),
    (n) => n === listed.length,
    10_000,
    'the orders list from a reloaded detail page',
  );
  await page.locator('.weui-tabbar__label', { hasText: /^订单$/ }).waitFor({ state: 'visible' });
  await screenshot(page, '13-orders-after-back');
  expect(browser.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
}, 40_000);
