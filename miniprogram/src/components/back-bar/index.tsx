/**
 * Platform fallback for `./back-bar`. Taro resolves the folder to `index.weapp.tsx` or `index.h5.tsx` for those
 * builds, so this file is only used by other platforms and by jest, which gets the weapp variant (nothing).
 */
export { BackBar } from './index.weapp';
export type { BackBarProps } from './types';
