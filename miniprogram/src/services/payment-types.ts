import type { WxPayRequestParams } from '@tokentill/shared-types';

/** An order to pay, as `POST /api/orders` answered it, plus what the pay sheet shows. */
export interface PaymentRequest {
  orderId: string;
  /** The `wx.requestPayment` parameters (APIv3: signType RSA). */
  params: WxPayRequestParams;
  /** Amount in fen, for display (WeChat shows the amount of the prepay order itself). */
  amountFen: number;
  /** What is bought, for display (the tier's title). */
  description: string;
}

/**
 * How a payment attempt ended, as far as the client can tell. `paid` is not proof of payment: the server
 * confirms with WeChat Pay (`POST /api/orders/:id/confirm` and the payment notification).
 */
export type PaymentResult =
  | { status: 'paid' }
  /** The user backed out: nothing was charged. */
  | { status: 'cancelled' }
  /** The payment did not go through; `message` is for the user. */
  | { status: 'failed'; message: string };

/** Pays an order. Implemented per platform: `payment.weapp.ts` and `payment.h5.ts`. */
export type PayFn = (request: PaymentRequest) => Promise<PaymentResult>;
