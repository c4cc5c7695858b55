/**
 * Plain TypeScript shapes of the WeChat Pay APIv3 objects TokenTill reads. Field names are WeChat's own
 * (snake_case), so a payload can be checked against the documentation at a glance. Amounts are in fen.
 */

/** `trade_state` of a transaction. Only `SUCCESS` means paid. */
export type TradeState =
  'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'ACCEPT';

/** A payment, as returned by the query API and decrypted from `TRANSACTION.*` notifications. */
export interface Transaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  /** Absent on some query answers for unpaid orders. */
  transaction_id?: string;
  /** `JSAPI` for Mini Program payments; absent while unpaid. */
  trade_type?: string;
  trade_state: TradeState | (string & {});
  trade_state_desc: string;
  bank_type?: string;
  /** Returned as sent at order time, in practice only once paid. */
  attach?: string;
  /** RFC 3339, e.g. `2018-06-08T10:34:56+08:00`. */
  success_time?: string;
  /** Absent until the user has paid. */
  payer?: { openid: string };
  amount: {
    /** Order amount in fen. */
    total: number;
    /** What the user actually paid in fen (after coupons). */
    payer_total?: number;
    currency?: string;
    payer_currency?: string;
  };
}

/** `refund_status` in refund notifications; `status` in refund API answers. */
export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

/** The decrypted resource of a `REFUND.*` notification. */
export interface RefundNotificationResource {
  mchid: string;
  out_trade_no: string;
  transaction_id: string;
  out_refund_no: string;
  refund_id: string;
  refund_status: RefundStatus | (string & {});
  success_time?: string;
  user_received_account?: string;
  amount: { total: number; refund: number; payer_total: number; payer_refund: number };
}

/** A refund, as returned by the create-refund and query-refund APIs. */
export interface Refund {
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  channel?: string;
  user_received_account?: string;
  success_time?: string;
  create_time?: string;
  status: RefundStatus | (string & {});
  funds_account?: string;
  amount: {
    total: number;
    refund: number;
    payer_total?: number;
    payer_refund?: number;
    settlement_refund?: number;
    settlement_total?: number;
    discount_refund?: number;
    currency?: string;
    refund_fee?: number;
  };
}

/** The plaintext envelope of a notification (everything but the encrypted resource). */
export interface NotificationEvent {
  id: string;
  /** `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
  event_type: string;
  create_time: string;
  summary: string;
}
