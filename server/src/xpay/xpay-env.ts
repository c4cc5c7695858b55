/**
 * Which environment a virtual-payment call runs in, and the AppKey that signs it. `env` 0 is production (现网)
 * and is signed with the production AppKey; `env` 1 is the sandbox (沙箱) and is signed with the sandbox AppKey
 * (虚拟支付 → 基本配置 → 基础配置). A key of the other env is WeChat's -15006 / 268490003.
 */

/** `env` of signData and of the server API bodies: 0 production, 1 sandbox. */
export type XPayEnv = 0 | 1;

/** The two AppKeys of one Mini Program's virtual payment. */
export interface XPayAppKeys {
  /** 现网 AppKey: signs env 0. */
  production: string;
  /** 沙箱 AppKey: signs env 1. */
  sandbox: string;
}

/** True for 0 or 1. */
export function isXPayEnv(value: unknown): value is XPayEnv {
  return value === 0 || value === 1;
}

/**
 * The AppKey that signs calls in `env`.
 *
 * @throws TypeError when `env` is not 0 or 1, or that env's key is empty (not configured).
 */
export function appKeyForEnv(keys: XPayAppKeys, env: XPayEnv): string {
  if (!isXPayEnv(env)) throw new TypeError(`env must be 0 (production) or 1 (sandbox), got ${String(env)}`);
  const key = env === 0 ? keys.production : keys.sandbox;
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`No ${env === 0 ? 'production' : 'sandbox'} AppKey configured for env ${env}`);
  }
  return key;
}

/**
 * `query_order` reports the environment as `env_type` with another coding: 1 production, 2 sandbox. Maps it to
 * `env`, or `undefined` for any other value.
 */
export function envOfEnvType(envType: unknown): XPayEnv | undefined {
  if (envType === 1) return 0;
  if (envType === 2) return 1;
  return undefined;
}
