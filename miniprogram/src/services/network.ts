/**
 * Platform fallback for `./network`. Taro resolves `./network` to `network.weapp.ts` or `network.h5.ts` for those
 * builds, so this file is only used by other platforms and by jest, which gets the weapp adapter.
 */
export { watchNetwork } from './network.weapp';
