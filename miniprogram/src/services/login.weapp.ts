import Taro from '@tarojs/taro';
import { ApiError } from './api-error';
import type { LoginCodeSource } from './login-types';

/** `wx.login`: a one-time code the server exchanges through code2Session. */
export const loginCode: LoginCodeSource = async () => {
  let result: { code?: string; errMsg?: string };
  try {
    result = await Taro.login();
  } catch (cause) {
    const errMsg =
      typeof cause === 'object' && cause !== null ? (cause as { errMsg?: unknown }).errMsg : cause;
    throw new ApiError('LOGIN_FAILED', String(errMsg ?? 'login:fail'));
  }
  if (!result.code) throw new ApiError('LOGIN_FAILED', result.errMsg ?? 'login gave no code');
  return result.code;
};
