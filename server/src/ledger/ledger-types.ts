import type { OrderState } from '@tokentill/shared-types';

/**
 * Who made a state change, as the journal records it: WeChat Pay's callback, a query of WeChat Pay (confirm,
 * reconciler), the inference worker, the reconciler's schedules, the recovery sweep, an operator, or the API
 * itself (a user's cancel, an order WeChat Pay refused to create).
 */
export type JournalSource = 'notify' | 'query' | 'worker' | 'reconciler' | 'sweep' | 'operator' | 'api';

/** An order as the ledger first records it (times are epoch milliseconds, as in Redis). */
export interface LedgerOrderInput {
  id: string;
  /** HMAC(openid): the user key, never the openid itself. */
  ownerKey: string;
  tier: string;
  tierTitle: string;
  priceFen: number;
  createdAt: number;
  payBy: number;
  state: OrderState;
  prompt: string;
}

export interface LedgerPaymentInput {
  orderId: string;
  transactionId: string;
  amountFen: number;
  /** What the payer paid (differs from `amountFen` with merchant coupons). */
  payerTotalFen?: number;
  currency: string;
  /** WeChat Pay's success_time, epoch ms. */
  paidAt: number;
  via: 'notify' | 'query';
}

/**
 * `recorded`: committed now; `duplicate`: the same payment was already there; `conflict`: the order already has
 * another payment, or the transaction already credited another order (the database refused a double credit).
 */
export type PaymentRecordOutcome = 'recorded' | 'duplicate' | 'conflict';

/** REQUESTED: asked of WeChat Pay by us; the others are WeChat Pay's own refund statuses. */
export type RefundStatus = 'REQUESTED' | 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

/** Whether WeChat Pay's status is one the ledger records (an unknown one is left to the next query). */
export function isRefundStatus(status: string): status is Exclude<RefundStatus, 'REQUESTED'> {
  return ['PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL'].includes(status);
}

export interface LedgerRefundInput {
  orderId: string;
  outRefundNo: string;
  amountFen: number;
  reason: string;
}

export interface JournalEntry {
  orderId: string;
  /** The change's entry in the order's Redis stream. */
  seq: number;
  from: OrderState | undefined;
  to: OrderState;
  source: JournalSource;
  /** Epoch ms. */
  at: number;
  /** Rebuilt from the Redis stream by the heal pass, not written live. */
  backfilled?: boolean;
}

/** One model call of one generation attempt. */
export interface SpendEntry {
  orderId: string;
  generationAttempt: number;
  /** Position of the call in the attempt's model chain (0 first). */
  callIndex: number;
  model: string;
  provider: string;
  outcome: string;
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
  /** Fen, up to 4 decimals. */
  costFen: number;
}

/** What the ledger knows of an order (times epoch ms); text is undefined once erased by retention. */
export interface LedgerOrder {
  id: string;
  ownerKey: string;
  tier: string;
  tierTitle: string;
  priceFen: number;
  state: OrderState;
  stateSeq: number;
  finalState: OrderState | undefined;
  createdAt: number;
  payBy: number;
  updatedAt: number;
  prompt: string | undefined;
  answer: string | undefined;
  payment: { transactionId: string; amountFen: number; paidAt: number; via: 'notify' | 'query' } | undefined;
  refund: { outRefundNo: string; amountFen: number; reason: string; status: RefundStatus } | undefined;
  /** When each state was first entered, from the journal. */
  enteredAt: Partial<Record<OrderState, number>>;
}

/** States in which a paid order has nothing more to do: answered, refunded, or handed to an operator. */
export const SETTLED_STATES: readonly OrderState[] = ['COMPLETED', 'REFUNDED', 'REFUND_FAILED'];
