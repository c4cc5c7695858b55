import type { LoginCodeSource } from './login-types';
import { randomHex, sandboxIdentity } from './sandbox-identity';

/**
 * The browser build has no `wx.login`: it makes codes the sandbox's WeChat login accepts, `<identity>.<nonce>`,
 * where the identity is kept per browser (one stable test user) and the nonce makes every code fresh.
 */
export const loginCode: LoginCodeSource = async () =>
  `${sandboxIdentity()}.${Date.now().toString(36)}${randomHex(4)}`;
