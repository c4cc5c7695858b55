/**
 * Platform fallback for `./payment`. Taro resolves `./payment` to `payment.weapp.ts` or `payment.h5.ts` for those
 * builds, so this file is only used by other platforms and by jest, which gets the weapp adapter.
 */
export { pay } from './payment.weapp';
