/**
 * Whether the app is in the foreground, as told by the App's onShow/onHide (see app.ts). A backgrounded Mini
 * Program loses its network after 5 s ("fail interrupted", docs/wechat-protocols.md), so the socket closes on
 * hide and polling pauses; both resume on show.
 */
type VisibilityListener = (visible: boolean) => void;

let visible = true;
const listeners = new Set<VisibilityListener>();

/** Called by the App shell on onShow (`true`) and onHide (`false`); repeated values are ignored. */
export function setAppVisible(next: boolean): void {
  if (next === visible) return;
  visible = next;
  for (const listener of [...listeners]) listener(next);
}

/** True while the app is in the foreground (the default until told otherwise). */
export function isAppVisible(): boolean {
  return visible;
}

/** Calls `listener` on every change; returns the function that stops it. */
export function onAppVisibilityChange(listener: VisibilityListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
