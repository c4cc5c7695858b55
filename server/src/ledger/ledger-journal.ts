import { FINAL_ORDER_STATES, type OrderState } from '@tokentill/shared-types';
import type { AnswerEntry, AnswerStreamStore } from '../delivery/answer-stream-store.js';
import type { Logger } from '../observability/logger.js';
import type { AppliedTransition } from '../orders/order-transitions.js';
import type { OrderRecord, OrderStore } from '../orders/order-store.js';
import type { Ledger } from './ledger.js';
import type { JournalEntry, JournalSource } from './ledger-types.js';

/**
 * Keeps the ledger's journal of state changes, and an order's answer text, in step with Redis.
 *
 * Each transition is written right after its Redis compare-and-set, keyed by its stream seq. When that write
 * fails (PostgreSQL briefly down) the transition is NOT undone: Redis is the authority for live state, and the
 * money facts behind it (the payment, the refund result) were committed before it. The missing row is rebuilt
 * from the order's Redis stream, which holds every state change with its seq: at the order's next final
 * transition, and by the heal pass (orders/ledger-healer.ts), whichever comes first. Rebuilt rows say `backfilled`.
 */
export interface LedgerJournal {
  /** ApplyEvent's journal hook: never throws. */
  record(change: AppliedTransition): Promise<void>;
  /**
   * Writes every state change of the order's stream the journal may lack (and the answer text once COMPLETED).
   * Throws when the ledger is unreachable.
   */
  syncFromStream(order: OrderRecord): Promise<void>;
}

export interface LedgerJournalDeps {
  ledger: Ledger;
  answers: Pick<AnswerStreamStore, 'read'>;
  /** The order as Redis has it (for the times of backfilled changes). */
  getOrder(orderId: string): Promise<OrderRecord | undefined>;
  logger: Logger;
}

/** The answer as the user sees it: the text after the last reset. */
export function answerText(entries: readonly AnswerEntry[]): string {
  let text = '';
  for (const entry of entries) {
    if (entry.kind === 'reset') text = '';
    else if (entry.kind === 'text') text += entry.text;
  }
  return text;
}

/** Who most likely made a change found only in the stream: the worker generates and completes; else the sweep. */
function backfillSource(to: OrderState): JournalSource {
  return to === 'GENERATING' || to === 'COMPLETED' ? 'worker' : 'reconciler';
}

export function createLedgerJournal(deps: LedgerJournalDeps): LedgerJournal {
  const { ledger, answers, logger } = deps;

  async function syncFromStream(order: OrderRecord): Promise<void> {
    const entries = await answers.read(order.id, 0);
    const changes: JournalEntry[] = [];
    let from: OrderState | undefined;
    for (const entry of entries) {
      if (entry.kind !== 'state') continue;
      changes.push({
        orderId: order.id,
        seq: entry.seq,
        from,
        to: entry.state,
        source: backfillSource(entry.state),
        at: order.at[entry.state] ?? order.updatedAt,
        backfilled: true,
      });
      from = entry.state;
    }
    await ledger.journal(changes);
    if (order.state === 'COMPLETED') await ledger.recordAnswer(order.id, answerText(entries));
  }

  return {
    syncFromStream,
    async record(change) {
      try {
        await ledger.journal([change]);
        // A final state is a good moment to fill in whatever an earlier failed write (or a change made outside
        // ApplyEvent, like a worker taking the order) left out, and the answer text.
        if (FINAL_ORDER_STATES.includes(change.to)) {
          const order = await deps.getOrder(change.orderId);
          if (order) await syncFromStream(order);
        }
      } catch (err) {
        logger.error(
          {
            orderId: change.orderId,
            to: change.to,
            seq: change.seq,
            err: { message: (err as Error).message },
          },
          'ledger journal write failed; the heal pass backfills it from the order stream',
        );
      }
    },
  };
}

/**
 * The store a worker uses: a worker taking an order (PAID → GENERATING, or FAILED when its attempts are spent)
 * changes its state in one Redis script, outside ApplyEvent; the change is journaled from the stream right after.
 */
export function withGenerationJournal(store: OrderStore, journal: LedgerJournal, logger: Logger): OrderStore {
  return {
    ...store,
    async startGeneration(orderId, attemptBudget) {
      const start = await store.startGeneration(orderId, attemptBudget);
      if ((start.ok && !start.resumed) || (!start.ok && start.budgetSpent)) {
        try {
          const order = await store.get(orderId);
          if (order) await journal.syncFromStream(order);
        } catch (err) {
          logger.error(
            { orderId, err: { message: (err as Error).message } },
            'ledger journal write failed; the heal pass backfills it from the order stream',
          );
        }
      }
      return start;
    },
  };
}
