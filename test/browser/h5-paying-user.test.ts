import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderListResponse } from '@tokentill/shared-types';
import { expectedMockAnswer } from '../../server/src/mock-model';
import { closeRedis, createRedis, type Redis } from '../../server/src/redis';
import { DEFAULT_REDIS_URL } from '../../scripts/lib/local-redis';
import { apiClient, createOrder, eventually, login, sandboxPay, waitForOrder } from '../support/api-client';
import { dropLedgerSchema } from '../support/test-postgres';
import { deletePrefix } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  openBrowser,
  SCREENSHOT_DIR,
  screenshot as screenshotAs,
  type BrowserSession,
} from './support/browser';
import { pageSessionToken, textOf, waitForValue } from './support/h5-app';

/**
 * The H5 build as a paying user lives it, in headless Chromium against the real server (sandbox mode, in-process
 * worker): never locked out by cancelled pay sheets, never charged when the server already knows no model can
 * answer, able to read while an answer streams (on a 320×568 phone too), told when the network drops, and a
 * paste over the limit kept and explained. Screenshots land in test-output/screenshots/paying-user/ (a folder of
 * their own: h5-flow.test.ts empties the top level when it starts).
 *
 * The scenarios run in order in one browser (one sandbox user); the busy-tier one opens the basic tier's circuit
 * breakers, so it runs last.
 */

/** The basic tier of config/tokentill.sandbox.json: what the mock answers with. */
function expectedAnswer(prompt: string): string {
  return expectedMockAnswer(
    [
      { role: 'system', content: '你是一个简洁、可靠的助手。' },
      { role: 'user', content: prompt },
    ],
    'mock-fast',
    1024,
  );
}

const SHOTS = 'paying-user';
const screenshot = (page: Parameters<typeof screenshotAs>[0], name: string) =>
  screenshotAs(page, `${SHOTS}/${name}`);

let server: TestServer;
let redis: Redis;
let browser: BrowserSession;

beforeAll(async () => {
  if (!existsSync(join(__dirname, '..', '..', 'miniprogram', 'dist-h5', 'index.html'))) {
    throw new Error('No H5 build to test: run `npm run build:h5 -w miniprogram` first');
  }
  rmSync(join(SCREENSHOT_DIR, SHOTS), { recursive: true, force: true });
  // ~96 tokens at 20/s: an answer takes ~5 s to stream, time to scroll, go offline and come back.
  server = await startTestServer({
    SANDBOX_MODEL_TOKENS_PER_SECOND: '20',
    SANDBOX_MODEL_TTFT_MS: '300',
    MAX_UNPAID_ORDERS: '3',
  });
  await server.services.startBackgroundWork();
  redis = createRedis(process.env['REDIS_URL'] || DEFAULT_REDIS_URL);
  browser = await openBrowser();
  await browser.page.goto(`${server.url}/`);
  await browser.page.locator('.tier-option:visible').first().waitFor({ timeout: 10_000 });
}, 40_000);

afterAll(async () => {
  await browser?.browser.close();
  await server?.close();
  if (redis) {
    if (server) await deletePrefix(redis, server.prefix);
    await closeRedis(redis);
  }
  if (server) await dropLedgerSchema(server.config.DATABASE_SCHEMA);
});

const promptBox = () => browser.page.locator('.prompt-input textarea:visible');
/** The newest chat answer's status has this state (the orders tab, mounted but hidden, has badges too). */
const lastStateIs = (_page: unknown, state: string) =>
  browser.page
    .locator('.turn .order-state:visible')
    .last()
    .and(browser.page.locator(`.order-state--${state}`));
const visible = (selector: string) => browser.page.locator(`${selector}:visible`);

async function typePrompt(prompt: string): Promise<void> {
  await promptBox().fill(prompt);
}

/** Clicks pay and waits for the pay sheet of the order the app created (or reused) for it. */
async function openPaySheet(): Promise<void> {
  await visible('.pay-button').click();
  await visible('.pay-sheet-confirm').waitFor({ state: 'visible', timeout: 10_000 });
}

async function token(): Promise<string> {
  const value = await waitForValue(
    () => pageSessionToken(browser.page),
    (t) => t !== undefined,
    10_000,
    'the sandbox login',
  );
  return value!;
}

async function tab(name: '问答' | '订单'): Promise<void> {
  await browser.page.locator('.weui-tabbar__label', { hasText: new RegExp(`^${name}$`) }).click();
}

it('a paste over the limit is kept whole, the counter red, paying disabled with how much it is over', async () => {
  const { page } = browser;
  await token();

  const paste = '请帮我总结这段文字。'.repeat(210); // 2,100 characters
  await typePrompt(paste);

  expect(await promptBox().inputValue()).toBe(paste);
  await visible('.prompt-box__counter--over').waitFor();
  expect(await textOf(visible('.prompt-box__counter'))).toBe('2100/2000');
  await page.getByText('超出 100 字，删减后才能支付').waitFor();
  expect(await visible('.pay-button').getAttribute('disabled')).not.toBeNull();
  await screenshot(page, '20-over-limit');

  // The composer grew with the text; cleared, it shrinks back to its two empty lines.
  await typePrompt('');
  const empty = await promptBox().evaluate((el) => el.getBoundingClientRect().height);
  await typePrompt('一\n二\n三\n四\n五\n六');
  const tall = await promptBox().evaluate((el) => el.getBoundingClientRect().height);
  await typePrompt('');
  const shrunk = await promptBox().evaluate((el) => el.getBoundingClientRect().height);
  expect(tall).toBeGreaterThan(empty * 1.8);
  expect(Math.abs(shrunk - empty)).toBeLessThanOrEqual(1);
}, 30_000);

it('never locked out: three cancelled pay sheets, and the fourth question still gets its pay sheet', async () => {
  const { page } = browser;
  const api = apiClient(server.url, await token());
  const questions = ['第一个没付款的问题', '第二个没付款的问题', '第三个没付款的问题', '第四个问题'];
  for (const question of questions.slice(0, 3)) {
    await typePrompt(question);
    await openPaySheet();
    await visible('.pay-sheet-cancel').click();
    await lastStateIs(page, 'cancelled').waitFor({ timeout: 5_000 });
  }

  await typePrompt(questions[3]!);
  await openPaySheet();
  await screenshot(page, '21-fourth-question-pay-sheet');
  await visible('.pay-sheet-cancel').click();
  await lastStateIs(page, 'cancelled').waitFor({ timeout: 5_000 });

  // The oldest unpaid order made way for the new one: closed at WeChat Pay and here, nothing charged.
  const { orders } = (await api.get<OrderListResponse>('/api/orders')).body;
  const byPrompt = Object.fromEntries(orders.map((o) => [o.prompt, o.state]));
  expect(byPrompt).toEqual({
    [questions[0]!]: 'CLOSED',
    [questions[1]!]: 'CREATED',
    [questions[2]!]: 'CREATED',
    [questions[3]!]: 'CREATED',
  });

  // A reload keeps the unpaid order of the question in the box: asking again pays that one, no new order.
  await page.reload();
  await visible('.tier-option').first().waitFor({ timeout: 10_000 });
  const created: string[] = [];
  const onRequest = (request: { method(): string; url(): string }) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/orders')
      created.push('order');
  };
  page.on('request', onRequest);
  try {
    await typePrompt(questions[3]!);
    await openPaySheet();
    await visible('.pay-sheet-cancel').click();
    await lastStateIs(page, 'cancelled').waitFor({ timeout: 5_000 });
  } finally {
    page.off('request', onRequest);
  }
  expect(created).toEqual([]);

  // The orders page: the unpaid orders can be paid or cancelled from there.
  await tab('订单');
  const card = (prompt: string) => visible('.order-card').filter({ hasText: prompt });
  await card(questions[1]!).locator('.order-cancel').waitFor({ timeout: 10_000 });
  expect(await card(questions[0]!).locator('.order-state--closed').count()).toBe(1);
  expect(await textOf(card(questions[0]!))).toContain('未扣款');
  await screenshot(page, '22-unpaid-orders-page');

  await card(questions[1]!).locator('.order-cancel').click();
  await page.locator('.taro-model__confirm').click();
  await card(questions[1]!).locator('.order-state--closed').waitFor({ timeout: 5_000 });
  expect(await card(questions[1]!).locator('.order-cancel').count()).toBe(0);

  await card(questions[2]!).locator('.order-pay').click();
  await visible('.pay-sheet-confirm').click();
  await visible('.order-page').waitFor({ timeout: 10_000 });
  await visible('.order-page .order-state--completed').waitFor({ timeout: 20_000 });
  await screenshot(page, '23-paid-from-orders-page');
  const states = (await api.get<OrderListResponse>('/api/orders')).body.orders.map((o) => [
    o.prompt,
    o.state,
  ]);
  expect(Object.fromEntries(states)).toMatchObject({
    [questions[1]!]: 'CLOSED',
    [questions[2]!]: 'COMPLETED',
  });
  await visible('.back-bar__back').click();
  await visible('.order-page')
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
  await tab('问答');
}, 90_000);

it('reading while the answer streams on a 320×568 phone: no pull to the bottom, a pill, the composer folded', async () => {
  const { page } = browser;
  await page.setViewportSize({ width: 320, height: 568 });
  try {
    // A first answer to re-read, then a second question whose answer streams meanwhile.
    await typePrompt('先介绍一下黄河');
    await openPaySheet();
    await visible('.pay-sheet-confirm').click();
    await lastStateIs(page, 'completed').waitFor({ timeout: 20_000 });
    const question = '请详细介绍一下长江的地理和历史';
    await typePrompt(question);
    await openPaySheet();
    await visible('.pay-sheet-confirm').click();
    const answer = visible('.turn').last().locator('.answer-text');
    await waitForValue(
      () => textOf(answer),
      (t) => t.length >= 20,
      15_000,
      'some streamed text',
    );

    // The user scrolls up to the first answer while the second keeps coming (a real scroll of the view: mobile
    // emulation has no wheel, and a swipe ends in the same scroll event).
    const conversation = visible('.chat__conversation');
    // A finger drag: the view held near the top for a few frames while the text keeps coming.
    const scrollUp = async () => {
      for (let frame = 0; frame < 8; frame++) {
        await conversation.evaluate((el) => {
          el.scrollTop = 60;
        });
        await page.waitForTimeout(30);
      }
    };
    // The user leaves the prompt box (touching the conversation does that on a phone) and scrolls up.
    await promptBox().evaluate((el) => (el as unknown as { blur(): void }).blur());
    await scrollUp();
    // The app has seen the user leave the bottom (a gesture is many scroll events; a chunk landing before the
    // first one was handled may still have followed): from now on the view stays where the user puts it.
    await page.locator('.chat__composer--reading').waitFor({ timeout: 5_000 });
    await scrollUp();
    const scrolledTo = await conversation.evaluate((el) => el.scrollTop);
    expect(scrolledTo).toBe(60);
    const lengthThen = (await textOf(answer)).length;
    await waitForValue(
      () => textOf(answer),
      (t) => t.length > lengthThen + 20,
      15_000,
      'more streamed text',
    );
    await visible('.new-below-pill').waitFor({ timeout: 5_000 });
    expect(await conversation.evaluate((el) => el.scrollTop)).toBe(scrolledTo);
    // Reading on a short screen: the tier row is folded away, the answer gets the room.
    expect(await visible('.tier-option').count()).toBe(0);
    await screenshot(page, '24-scrolled-up-mid-stream-320x568');

    // The pill takes the user back down, and the view follows again.
    await visible('.new-below-pill').click();
    await visible('.new-below-pill').waitFor({ state: 'detached', timeout: 5_000 });
    await lastStateIs(page, 'completed').waitFor({ timeout: 20_000 });
    expect(await textOf(answer)).toBe(expectedAnswer(question));
    const atBottom = await conversation.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(atBottom).toBeLessThanOrEqual(50);
    expect(await visible('.tier-option').count()).toBeGreaterThan(0);
  } finally {
    await page.setViewportSize({ width: 390, height: 844 });
  }
}, 60_000);

it('network trouble is visible: "重新连接中…" while offline, and the answer catches up when it is back', async () => {
  const { page, context } = browser;
  const question = '用几句话解释什么是光合作用';
  await typePrompt(question);
  await openPaySheet();
  await visible('.pay-sheet-confirm').click();
  const answer = visible('.turn').last().locator('.answer-text');
  await waitForValue(
    () => textOf(answer),
    (t) => t.length >= 10,
    15_000,
    'some streamed text',
  );

  await context.setOffline(true);
  try {
    await visible('.answer-reconnecting').waitFor({ timeout: 5_000 });
    await screenshot(page, '25-reconnecting');
  } finally {
    await context.setOffline(false);
  }

  await lastStateIs(page, 'completed').waitFor({ timeout: 30_000 });
  expect(await textOf(answer)).toBe(expectedAnswer(question));
  expect(await visible('.answer-reconnecting').count()).toBe(0);
}, 60_000);

it('the 订单 tab opens offline (no chunk to load), saying the network is down', async () => {
  const { page, context } = browser;
  const errorsBefore = browser.errors.length;
  await page.reload();
  await visible('.tier-option').first().waitFor({ timeout: 10_000 });
  await context.setOffline(true);
  try {
    await tab('订单');
    await visible('.orders').waitFor({ timeout: 5_000 });
    await page.getByText('网络连接失败，请检查网络后重试').first().waitFor({ timeout: 20_000 });
    await screenshot(page, '26-orders-offline');
  } finally {
    await context.setOffline(false);
  }
  expect(browser.errors.slice(errorsBefore).filter((e) => e.startsWith('pageerror'))).toEqual([]);
  await visible('.orders__retry').click();
  await visible('.order-card').first().waitFor({ timeout: 10_000 });
  await tab('问答');
}, 40_000);

it('a tier none of whose models can answer is refused before any payment, and shown as busy', async () => {
  const { page } = browser;
  const control = apiClient(server.url);
  // The page has the tiers from before the outage. Both basic models then fail every request: five paid orders
  // (another user's) fail and are refunded, which opens both providers' circuits.
  for (const model of ['mock-fast', 'mock-backup']) {
    expect((await control.post('/sandbox/model/faults', { kind: 'http_500', model })).status).toBe(201);
  }
  const other = await login(server.url);
  for (let i = 0; i < 5; i++) {
    const { orderId } = await createOrder(server.url, other, { prompt: `熔断 ${i}` });
    await sandboxPay(server.url, orderId);
    await waitForOrder(
      server.url,
      other,
      orderId,
      (o) => o.state !== 'PAID' && o.state !== 'GENERATING',
      15_000,
    );
  }
  await eventually(
    async () => {
      const { providers } = (await control.get('/sandbox/breakers')).body as {
        providers: Record<string, string>;
      };
      return providers['sandbox-fast'] === 'open' && providers['sandbox-backup'] === 'open';
    },
    10_000,
    'both basic providers open',
  );

  const payCalls: string[] = [];
  const onRequest = (request: { url(): string }) => {
    if (new URL(request.url()).pathname === '/sandbox/pay') payCalls.push(request.url());
  };
  page.on('request', onRequest);
  try {
    await visible('.tier-option').filter({ hasText: '快速回答' }).click();
    await typePrompt('熔断时提的问题');
    await visible('.pay-button').click();

    await page.getByText('服务繁忙，请稍后再试').waitFor({ timeout: 10_000 });
    await visible('.tier-option--unavailable').filter({ hasText: '快速回答' }).waitFor({ timeout: 10_000 });
    expect(await visible('.pay-sheet').count()).toBe(0);
    expect(await visible('.pay-button').getAttribute('disabled')).not.toBeNull();
    await screenshot(page, '27-busy-tier-refused');

    // The sandbox panel shows why: both basic providers' circuits open, the basic tier refusing orders.
    await visible('.sandbox-pill').click();
    await visible('.sandbox-breaker--provider-sandbox-fast')
      .filter({ hasText: '熔断中' })
      .waitFor({ timeout: 5_000 });
    await visible('.sandbox-breaker--tier-basic').filter({ hasText: '繁忙' }).waitFor();
    await visible('.sandbox-breaker--tier-pro').filter({ hasText: '可下单' }).waitFor();
    await screenshot(page, '28-sandbox-breakers');
    await visible('.sandbox-panel__close').click();
  } finally {
    page.off('request', onRequest);
    await fetch(`${server.url}/sandbox/model/faults`, { method: 'DELETE' });
  }
  expect(payCalls).toEqual([]);
  expect(browser.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
}, 90_000);
