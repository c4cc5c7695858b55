import { useDidHide, useDidShow, useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { z } from 'zod';
import { setAppVisible } from './services/app-visibility';
import { sessionToken } from './services/session';
import './app.css';

// WeChat forbids eval/new Function; zod would otherwise probe for them and JIT-compile object parsers.
// Must run before any schema parses (shared-types' ws messages and payment results).
z.config({ jitless: true });

/**
 * App shell: Taro renders the current page as `children`. Logs in on launch (so the first paid question does not
 * wait for it; a failure here is retried by the first call that needs the session), and tells the network layer
 * when the app goes to the background and comes back (the socket closes and polling holds while hidden).
 */
function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    sessionToken().catch(() => undefined);
  });
  useDidShow(() => setAppVisible(true));
  useDidHide(() => setAppVisible(false));
  return children;
}

export default App;
