import Taro from '@tarojs/taro';
import type { PayFn } from './payment-types';

/**
 * `wx.requestPayment` with the server's parameters. WeChat reports `requestPayment:fail cancel` when the user
 * closes the pay sheet (nothing charged); any other failure is a failed payment.
 */
export const pay: PayFn = async ({ params }) => {
  try {
    await Taro.requestPayment({ ...params });
    return { status: 'paid' };
  } catch (cause) {
    const errMsg =
      typeof cause === 'object' && cause !== null ? String((cause as { errMsg?: unknown }).errMsg) : '';
    if (/cancel/i.test(errMsg)) return { status: 'cancelled' };
    return { status: 'failed', message: '支付未完成，请重试' };
  }
};
