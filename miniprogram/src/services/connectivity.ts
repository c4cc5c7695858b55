import { watchNetwork } from './network';

type Listener = (online: boolean) => void;

let online = true;
let stopWatching: (() => void) | undefined;
const listeners = new Set<Listener>();

/**
 * Whether the device has a network, as its last network event said (online until told otherwise), and a
 * subscription to changes. Watching starts with the first listener and stops with the last.
 */
export function isOnline(): boolean {
  return online;
}

export function onConnectivityChange(listener: Listener): () => void {
  listeners.add(listener);
  stopWatching ??= watchNetwork((next) => {
    if (next === online) return;
    online = next;
    for (const each of [...listeners]) each(next);
  });
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stopWatching?.();
      stopWatching = undefined;
      online = true;
    }
  };
}
