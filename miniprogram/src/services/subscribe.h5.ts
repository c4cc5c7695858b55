import { post } from './http';
import { sandboxIdentity } from './sandbox-identity';
import type { RequestGrantFn } from './subscribe-types';

/**
 * The browser build has no subscribe dialog: it records the grant WeChat would, in the sandbox's WeChat API
 * emulator, for this browser's sandbox user (`POST /sandbox/wechat/subscribe-grants`).
 */
export const requestGrant: RequestGrantFn = async (templateId) => {
  try {
    await post(
      '/sandbox/wechat/subscribe-grants',
      { identity: sandboxIdentity(), template_id: templateId, count: 1 },
      { auth: false },
    );
    return true;
  } catch {
    return false;
  }
};
