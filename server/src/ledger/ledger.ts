import { FINAL_ORDER_STATES, type OrderState } from '@tokentill/shared-types';
import type { Pool } from './ledger-pool.js';
import type {
  JournalEntry,
  LedgerOrder,
  LedgerOrderInput,
  LedgerPaymentInput,
  LedgerRefundInput,
  PaymentRecordOutcome,
  RefundStatus,
  SpendEntry,
} from './ledger-types.js';

/**
 * The ledger's reads and writes. Every write is idempotent (a retried callback or a backfill writes nothing new)
 * and is one statement, so it commits on its own in one round trip. Hot-path statements are named: each
 * connection prepares them once.
 */
export interface Ledger {
  /** The connections it uses (the heal pass and retention run their own statements on them). */
  readonly pool: Pool;
  /** Records a new order (before WeChat Pay hears of it). A second call for the same id changes nothing. */
  recordOrder(order: LedgerOrderInput): Promise<void>;
  /**
   * Records a payment, and the order too if the ledger did not have it yet (one statement). Returns whether it
   * was new, already there, or refused as a second credit.
   */
  recordPayment(order: LedgerOrderInput, payment: LedgerPaymentInput): Promise<PaymentRecordOutcome>;
  /** Records that a refund was asked for (status REQUESTED), once per order. */
  recordRefundRequest(refund: LedgerRefundInput): Promise<void>;
  /** Records what WeChat Pay says of a refund; creates the refund first if its request was never recorded. */
  recordRefundStatus(refund: LedgerRefundInput, status: RefundStatus): Promise<void>;
  /** Appends state changes (each once per (order, seq)) and moves the order's current state forward. */
  journal(entries: readonly JournalEntry[]): Promise<void>;
  recordAnswer(orderId: string, answer: string): Promise<void>;
  recordSpend(entries: readonly SpendEntry[]): Promise<void>;
  findOrder(id: string): Promise<LedgerOrder | undefined>;
  /** The highest journal seq of the order (0 if none). */
  lastSeq(orderId: string): Promise<number>;
}

const FINAL = FINAL_ORDER_STATES as readonly string[];

/** The row `findOrder` reads (the order, its payment and refund, and when it entered each state). */
interface OrderRow {
  id: string;
  owner_key: string;
  tier: string;
  tier_title: string;
  price_fen: number;
  current_state: OrderState;
  state_seq: number;
  final_state: OrderState | null;
  created_at: Date;
  pay_by: Date;
  updated_at: Date;
  prompt_text: string | null;
  answer_text: string | null;
  transaction_id: string | null;
  paid_fen: number;
  paid_at: Date;
  learned_via: 'notify' | 'query';
  out_refund_no: string | null;
  refund_fen: number;
  refund_reason: string;
  refund_status: RefundStatus;
  entered: Record<string, string> | null;
}

export function createLedger(pool: Pool): Ledger {
  return {
    pool,
    async recordOrder(order) {
      await pool.query({
        name: 'ledger-record-order',
        text: `INSERT INTO orders (id, owner_key, tier, tier_title, price_fen, created_at, pay_by, current_state,
                                   prompt_text)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (id) DO NOTHING`,
        values: [
          order.id,
          order.ownerKey,
          order.tier,
          order.tierTitle,
          order.priceFen,
          new Date(order.createdAt),
          new Date(order.payBy),
          order.state,
          order.prompt,
        ],
      });
    },

    async recordPayment(order, payment) {
      // The order row and the payment in one statement (foreign keys are checked at its end).
      const inserted = await pool.query<{ order_id: string }>({
        name: 'ledger-record-payment',
        text: `WITH o AS (
                 INSERT INTO orders (id, owner_key, tier, tier_title, price_fen, created_at, pay_by, current_state,
                                     prompt_text)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (id) DO NOTHING)
               INSERT INTO payments (order_id, transaction_id, amount_fen, payer_total_fen, currency, paid_at,
                                     learned_via)
               VALUES ($1, $10, $11, $12, $13, $14, $15)
               ON CONFLICT DO NOTHING
               RETURNING order_id`,
        values: [
          order.id,
          order.ownerKey,
          order.tier,
          order.tierTitle,
          order.priceFen,
          new Date(order.createdAt),
          new Date(order.payBy),
          order.state,
          order.prompt,
          payment.transactionId,
          payment.amountFen,
          payment.payerTotalFen ?? null,
          payment.currency,
          new Date(payment.paidAt),
          payment.via,
        ],
      });
      if (inserted.rowCount === 1) return 'recorded';
      const existing = await pool.query<{ order_id: string; transaction_id: string }>({
        name: 'ledger-payment-of',
        text: 'SELECT order_id, transaction_id FROM payments WHERE order_id = $1 OR transaction_id = $2',
        values: [payment.orderId, payment.transactionId],
      });
      const same = existing.rows.every(
        (r) => r.order_id === payment.orderId && r.transaction_id === payment.transactionId,
      );
      return existing.rows.length > 0 && same ? 'duplicate' : 'conflict';
    },

    async recordRefundRequest(refund) {
      await pool.query({
        name: 'ledger-record-refund-request',
        text: `WITH r AS (
                 INSERT INTO refunds (order_id, out_refund_no, amount_fen, reason, status)
                 VALUES ($1, $2, $3, $4, 'REQUESTED')
                 ON CONFLICT DO NOTHING
                 RETURNING out_refund_no)
               INSERT INTO refund_events (out_refund_no, status) SELECT out_refund_no, 'REQUESTED' FROM r`,
        values: [refund.orderId, refund.outRefundNo, refund.amountFen, refund.reason],
      });
    },

    async recordRefundStatus(refund, status) {
      await pool.query({
        name: 'ledger-record-refund-status',
        text: `WITH r AS (
                 INSERT INTO refunds (order_id, out_refund_no, amount_fen, reason, status)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
                 -- A late PROCESSING never overwrites a final status.
                 WHERE refunds.out_refund_no = EXCLUDED.out_refund_no
                   AND refunds.status NOT IN ('SUCCESS', 'CLOSED', 'ABNORMAL')
                 RETURNING out_refund_no)
               INSERT INTO refund_events (out_refund_no, status)
               SELECT out_refund_no, $5 FROM r
               ON CONFLICT DO NOTHING`,
        values: [refund.orderId, refund.outRefundNo, refund.amountFen, refund.reason, status],
      });
    },

    async journal(entries) {
      for (const e of entries) {
        await pool.query({
          name: 'ledger-journal',
          text: `WITH j AS (
                   INSERT INTO order_journal (order_id, seq, from_state, to_state, source, backfilled, at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)
                   ON CONFLICT DO NOTHING)
                 UPDATE orders
                    SET current_state = $4::text, state_seq = $2::integer, updated_at = now(),
                        final_state = CASE WHEN $4::text = ANY($8::text[]) THEN $4::text END
                  WHERE id = $1 AND state_seq < $2::integer`,
          values: [
            e.orderId,
            e.seq,
            e.from ?? null,
            e.to,
            e.source,
            e.backfilled ?? false,
            new Date(e.at),
            FINAL,
          ],
        });
      }
    },

    async recordAnswer(orderId, answer) {
      await pool.query({
        name: 'ledger-record-answer',
        text: 'UPDATE orders SET answer_text = $2 WHERE id = $1 AND text_erased_at IS NULL',
        values: [orderId, answer],
      });
    },

    async recordSpend(entries) {
      for (const e of entries) {
        await pool.query({
          name: 'ledger-record-spend',
          text: `INSERT INTO model_spend (order_id, generation_attempt, call_index, model, provider, outcome,
                                         prompt_tokens, completion_tokens, usage_estimated, cost_fen)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT DO NOTHING`,
          values: [
            e.orderId,
            e.generationAttempt,
            e.callIndex,
            e.model,
            e.provider,
            e.outcome,
            e.promptTokens,
            e.completionTokens,
            e.estimated,
            e.costFen.toFixed(4),
          ],
        });
      }
    },

    async findOrder(id) {
      const result = await pool.query<OrderRow>({
        name: 'ledger-find-order',
        text: `SELECT o.*, p.transaction_id, p.amount_fen AS paid_fen, p.paid_at, p.learned_via,
                      r.out_refund_no, r.amount_fen AS refund_fen, r.reason AS refund_reason, r.status AS refund_status,
                      (SELECT json_object_agg(to_state, first_at) FROM (
                         SELECT to_state, min(at) AS first_at FROM order_journal WHERE order_id = o.id GROUP BY to_state
                       ) s) AS entered
                 FROM orders o
                 LEFT JOIN payments p ON p.order_id = o.id
                 LEFT JOIN refunds r ON r.order_id = o.id
                WHERE o.id = $1`,
        values: [id],
      });
      const row = result.rows[0];
      if (!row) return undefined;
      const entered: Partial<Record<OrderState, number>> = {};
      for (const [state, at] of Object.entries(row.entered ?? {})) {
        entered[state as OrderState] = Date.parse(at);
      }
      return {
        id: row.id,
        ownerKey: row.owner_key,
        tier: row.tier,
        tierTitle: row.tier_title,
        priceFen: row.price_fen,
        state: row.current_state,
        stateSeq: row.state_seq,
        finalState: row.final_state ?? undefined,
        createdAt: row.created_at.getTime(),
        payBy: row.pay_by.getTime(),
        updatedAt: row.updated_at.getTime(),
        prompt: row.prompt_text ?? undefined,
        answer: row.answer_text ?? undefined,
        payment: row.transaction_id
          ? {
              transactionId: row.transaction_id,
              amountFen: row.paid_fen,
              paidAt: row.paid_at.getTime(),
              via: row.learned_via,
            }
          : undefined,
        refund: row.out_refund_no
          ? {
              outRefundNo: row.out_refund_no,
              amountFen: row.refund_fen,
              reason: row.refund_reason,
              status: row.refund_status,
            }
          : undefined,
        enteredAt: entered,
      };
    },

    async lastSeq(orderId) {
      const result = await pool.query<{ seq: number | null }>({
        name: 'ledger-last-seq',
        text: 'SELECT max(seq) AS seq FROM order_journal WHERE order_id = $1',
        values: [orderId],
      });
      return result.rows[0]?.seq ?? 0;
    },
  };
}
