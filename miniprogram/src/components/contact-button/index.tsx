/**
 * Platform fallback for `./contact-button`. Taro resolves the folder to `index.weapp.tsx` or `index.h5.tsx` for
 * those builds, so this file is only used by other platforms and by jest, which gets the weapp variant.
 */
export { ContactButton } from './index.weapp';
