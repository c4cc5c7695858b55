/**
 * Gets a fresh one-time login code for `POST /api/session`. Implemented per platform: `login.weapp.ts`
 * (`Taro.login`, i.e. `wx.login`) and `login.h5.ts` (sandbox codes); Taro picks the file for the build's platform.
 */
export type LoginCodeSource = () => Promise<string>;
