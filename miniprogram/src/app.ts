import type { PropsWithChildren } from 'react';
import { z } from 'zod';
import './app.css';

// WeChat forbids eval/new Function; zod would otherwise probe for them and JIT-compile object parsers.
// Must run before any schema parses (shared-types' ws messages and payment results).
z.config({ jitless: true });

/** App shell: Taro renders the current page as `children`. */
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
