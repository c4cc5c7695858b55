/**
 * Platform fallback for `./subscribe`. Taro resolves `./subscribe` to `subscribe.weapp.ts` or `subscribe.h5.ts`
 * for those builds, so this file is only used by other platforms and by jest, which gets the weapp adapter.
 */
export { requestGrant } from './subscribe.weapp';
