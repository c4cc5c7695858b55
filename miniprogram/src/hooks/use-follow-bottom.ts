import { useCallback, useEffect, useRef, useState } from 'react';

/** A `scrollTop` past any content: the scroll view clamps it to the bottom. */
const BOTTOM = 1_000_000;
/** A scroll up by more than this is the user's (not the view settling by a pixel). */
const USER_SCROLL_PX = 4;

/** What a scroll view's `onScroll` reports (weapp and Taro H5 alike). */
export interface ScrollDetail {
  scrollTop: number;
  scrollHeight: number;
}

const isH5 = process.env.TARO_ENV === 'h5';

export interface FollowBottom {
  /**
   * Spread onto the scroll view: its `scrollTop` on weapp, which changes only when the view should go to the
   * bottom. Nothing on H5, where the hook scrolls the element itself (see below).
   */
  scrollProps: { scrollTop?: number };
  /** True while the view follows new content (the user is at the bottom). */
  following: boolean;
  /** Content grew below while the user was reading further up: show a "new text below" pill. */
  newBelow: boolean;
  /** The content grew: follow it to the bottom, or note that there is something new below. */
  contentGrew(): void;
  /** Go to the bottom and follow again (a new question, or a tap on the pill). */
  jumpToEnd(): void;
  onScroll(event: { detail: ScrollDetail }): void;
  /** The scroll view's `onScrollToLower`: the user is back at the bottom. */
  onScrollToLower(): void;
}

/**
 * Chat-style scrolling: the conversation follows new text only while the user is at the bottom. Scrolling up
 * (to re-read while an answer streams) stops the following, and new text then raises `newBelow` instead of
 * pulling the view down; reaching the bottom again, or `jumpToEnd`, resumes it. A scroll up caused by content
 * shrinking (a restarted answer) is not the user's and changes nothing.
 *
 * On H5 the view is scrolled through the DOM (`elementId`), never through the `scrollTop` prop: Taro 4.2.1's H5
 * ScrollView writes that prop to the element's native `scrollTop` on every re-render, so any render (each chunk
 * of an answer) would pull the view back down, whatever the user did.
 */
export function useFollowBottom(elementId: string): FollowBottom {
  const [tick, setTick] = useState(0);
  const [following, setFollowingState] = useState(true);
  const [newBelow, setNewBelow] = useState(false);
  const followingRef = useRef(true);
  const last = useRef<ScrollDetail>({ scrollTop: 0, scrollHeight: 0 });

  const setFollowing = useCallback((value: boolean) => {
    followingRef.current = value;
    setFollowingState(value);
    if (value) setNewBelow(false);
  }, []);

  const contentGrew = useCallback(() => {
    if (followingRef.current) setTick((n) => n + 1);
    else setNewBelow(true);
  }, []);

  const jumpToEnd = useCallback(() => {
    setFollowing(true);
    setTick((n) => n + 1);
  }, [setFollowing]);

  const onScroll = useCallback(
    ({ detail }: { detail: ScrollDetail }) => {
      const previous = last.current;
      last.current = { scrollTop: detail.scrollTop, scrollHeight: detail.scrollHeight };
      const scrolledUp = detail.scrollTop < previous.scrollTop - USER_SCROLL_PX;
      if (scrolledUp && detail.scrollHeight >= previous.scrollHeight && followingRef.current) {
        setFollowing(false);
      }
    },
    [setFollowing],
  );

  const onScrollToLower = useCallback(() => {
    if (!followingRef.current) setFollowing(true);
  }, [setFollowing]);

  useEffect(() => {
    if (!isH5 || typeof document === 'undefined') return;
    const element = document.getElementById(elementId);
    if (!element) return;
    // Scroll events arrive a frame late: the user may have scrolled up since the last one. Follow only if not.
    if (element.scrollTop < last.current.scrollTop - USER_SCROLL_PX) {
      setFollowing(false);
      return;
    }
    element.scrollTop = element.scrollHeight;
  }, [tick, elementId, setFollowing]);

  return {
    scrollProps: isH5 ? {} : { scrollTop: BOTTOM + tick },
    following,
    newBelow,
    contentGrew,
    jumpToEnd,
    onScroll,
    onScrollToLower,
  };
}
