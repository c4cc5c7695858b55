/**
 * Platform fallback for `./socket-connect`. Taro resolves `./socket-connect` to `socket-connect.weapp.ts` or
 * `socket-connect.h5.ts` for those builds, so this file is only used by other platforms and by jest, which gets
 * the weapp adapter.
 */
export { connectSocket } from './socket-connect.weapp';
