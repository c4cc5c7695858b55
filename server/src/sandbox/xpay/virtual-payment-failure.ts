/**
 * A refused `wx.requestVirtualPayment`, as the Mini Program's `fail` callback sees it: `{errMsg, errCode}` with the
 * documented -150xx codes. The sandbox's `POST /sandbox/xpay/pay` answers it with HTTP 400.
 */
import { VIRTUAL_PAYMENT_ERRCODES, virtualPaymentErrcodeName } from '../../xpay/index.js';

export class VirtualPaymentFailure extends Error {
  override readonly name = 'VirtualPaymentFailure';
  constructor(
    readonly errCode: number,
    readonly detail: string,
  ) {
    super(`requestVirtualPayment:fail ${detail}`);
  }

  toBody(): { code: 'VIRTUAL_PAYMENT_FAILED'; errCode: number; errName: string; errMsg: string } {
    return {
      code: 'VIRTUAL_PAYMENT_FAILED',
      errCode: this.errCode,
      errName: virtualPaymentErrcodeName(this.errCode) ?? 'UNKNOWN',
      errMsg: this.message,
    };
  }
}

export const VP = VIRTUAL_PAYMENT_ERRCODES;
