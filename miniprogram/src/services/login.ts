/**
 * Platform fallback for `./login`. Taro resolves `./login` to `login.weapp.ts` or `login.h5.ts` for those builds
 * (MultiPlatformPlugin), so this file is only used by other platforms and by jest, which gets the weapp adapter.
 */
export { loginCode } from './login.weapp';
