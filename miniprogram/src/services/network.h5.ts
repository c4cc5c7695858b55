import type { WatchNetwork } from './network-types';

/**
 * The browser's `online` / `offline` events. Not Taro's H5 `onNetworkStatusChange`, which only listens to
 * `navigator.connection` changes (absent in many browsers) and never reports going offline.
 */
export const watchNetwork: WatchNetwork = (listener) => {
  const online = () => listener(true);
  const offline = () => listener(false);
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
  };
};
