import { errorText } from '../utils/error-text';
import { post } from './http';
import { askPaySheet } from './pay-sheet';
import type { PayFn } from './payment-types';

/**
 * The browser build's payment. Taro's H5 `requestPayment` is a stub that resolves as if paid, so it is never
 * used: the user confirms in the app's own pay sheet (styled like WeChat's), and the sandbox then plays WeChat
 * Pay completing the payment (`POST /sandbox/pay`), which sends the server its payment notification.
 */
export const pay: PayFn = async ({ orderId, amountFen, description }) => {
  const confirmed = await askPaySheet({ amountFen, description });
  if (!confirmed) return { status: 'cancelled' };
  try {
    await post('/sandbox/pay', { out_trade_no: orderId }, { auth: false });
    return { status: 'paid' };
  } catch (error) {
    return { status: 'failed', message: `支付失败：${errorText(error)}` };
  }
};
