import { act, fireEvent } from '@testing-library/react';

/** The chat's conversation scroll view (the mock ScrollView's div). */
export function conversation(): HTMLElement {
  const element = document.querySelector<HTMLElement>('.chat__conversation');
  if (!element) throw new Error('no conversation on screen');
  return element;
}

/** The scroll position the page last asked for (the mock ScrollView's `data-scroll-top`). */
export function requestedScrollTop(): number {
  return Number(conversation().getAttribute('data-scroll-top'));
}

/** The user scrolls the conversation to `scrollTop` (content `scrollHeight` tall): an `onScroll` event. */
export function userScrollsTo(scrollTop: number, scrollHeight = 2_000): void {
  const element = conversation();
  element.dataset.scrollHeight = String(scrollHeight);
  element.scrollTop = scrollTop;
  act(() => {
    fireEvent.scroll(element);
  });
}

/** The scroll view reports reaching its bottom (`onScrollToLower`). */
export function reachesBottom(): void {
  act(() => {
    conversation().dispatchEvent(new Event('scrolltolower'));
  });
}
