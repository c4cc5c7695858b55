import type { Locator, Page } from 'playwright-core';

/**
 * Page-side helpers for the H5 build of the Mini Program, through the stable class names of
 * miniprogram/README.md (plus Taro's own markup where a user taps something Taro draws, like the tab bar).
 */

/** Storage key of the session (miniprogram/src/services/session.ts); Taro H5 stores `{"data": value}`. */
const SESSION_STORAGE_KEY = 'tokentill.session';

/** The session token the page logged in with, read from its localStorage. */
export async function pageSessionToken(page: Page): Promise<string | undefined> {
  const raw = await page.evaluate(
    (key) => (globalThis as any).localStorage.getItem(key) as string | null,
    SESSION_STORAGE_KEY,
  );
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as { data?: { token?: unknown }; token?: unknown };
  const token = parsed.data?.token ?? parsed.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * Installed before any page script: records every distinct text the newest `.answer-text` shows, in order, so a
 * test can check that the answer only ever grew by appending (nothing repeated, nothing dropped, even briefly).
 * Read with {@link answerSamples}; a reload starts a fresh record.
 */
export const RECORD_ANSWER_TEXTS = `(() => {
  const samples = [];
  window.__answerSamples = samples;
  let last = null;
  const record = () => {
    const all = document.querySelectorAll('.answer-text');
    const element = all[all.length - 1];
    const text = element ? element.textContent : null;
    if (text !== null && text !== last) samples.push(text);
    last = text;
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

/**
 * Installed before any page script: records every root font size (`<html style="font-size">`, what Taro's rem
 * units hang on) the page sets, in order. A layout that jumps after load shows up as two values.
 * Read with {@link rootFontSizes}.
 */
export const RECORD_ROOT_FONT_SIZES = `(() => {
  const sizes = [];
  window.__rootFontSizes = sizes;
  const record = () => {
    const root = document.documentElement;
    const size = root ? root.style.fontSize : '';
    if (size && size !== sizes[sizes.length - 1]) sizes.push(size);
  };
  // Init scripts run before <html> is parsed: watch the whole document for it.
  new MutationObserver(record).observe(document, { subtree: true, attributes: true, attributeFilter: ['style'] });
})();`;

/** The root font sizes recorded by {@link RECORD_ROOT_FONT_SIZES} since the page was last loaded. */
export async function rootFontSizes(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((globalThis as any).__rootFontSizes ?? [])] as string[]);
}

/**
 * The newest answer's status line (`.order-state`) is on screen above the composer (whose top is the tier row),
 * not scrolled out of view or under it. Polls, as the page scrolls after it renders.
 */
export async function lastStateAboveComposer(page: Page, timeoutMs = 3_000): Promise<void> {
  await waitForValue(
    () =>
      page.evaluate(() => {
        const doc = (globalThis as any).document;
        const states = doc.querySelectorAll('.turn .order-state');
        const state = states[states.length - 1];
        const composerTop = doc.querySelector('.tier-option')?.getBoundingClientRect().top;
        if (!state || composerTop === undefined) return undefined;
        const box = state.getBoundingClientRect();
        return {
          top: Math.round(box.top),
          bottom: Math.round(box.bottom),
          composerTop: Math.round(composerTop),
        };
      }),
    (v) => v !== undefined && v.top >= 0 && v.bottom <= v.composerTop,
    timeoutMs,
    'the last status line above the composer',
  );
}

/** The texts recorded by {@link RECORD_ANSWER_TEXTS} since the page was last loaded. */
export async function answerSamples(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((globalThis as any).__answerSamples ?? [])] as string[]);
}

/** Polls `read` until `accept` holds for its value; returns that value. */
export async function waitForValue<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The text of a locator with Taro's markup flattened (textContent, trimmed; '' when absent). */
export async function textOf(locator: Locator): Promise<string> {
  if ((await locator.count()) === 0) return '';
  return ((await locator.first().textContent()) ?? '').trim();
}

/** The newest answer's state element (`.order-state.order-state--<state>`) has this state. */
export function lastStateIs(page: Page, state: string): Locator {
  return page
    .locator('.order-state')
    .last()
    .and(page.locator(`.order-state--${state}`));
}

/** `¥0.10` for 10 fen, computed independently of the app's formatter. */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}
