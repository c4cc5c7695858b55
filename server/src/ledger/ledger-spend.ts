import type { AttemptRecord } from '../inference/router/index.js';
import type { Logger } from '../observability/logger.js';
import type { Ledger } from './ledger.js';

/**
 * The worker's `recordCall` hook: each model call's tokens and cost into the ledger's model_spend, once per
 * (order, generation attempt, call). A failed write is logged, never thrown: the answer must not wait on it, and
 * the order's spend total is kept in Redis too.
 */
export function ledgerSpendRecorder(ledger: Pick<Ledger, 'recordSpend'>, logger: Logger) {
  return async (orderId: string, attempt: number, callIndex: number, call: AttemptRecord): Promise<void> => {
    try {
      await ledger.recordSpend([
        {
          orderId,
          generationAttempt: attempt,
          callIndex,
          model: call.model,
          provider: call.provider,
          outcome: call.outcome,
          promptTokens: call.usage.promptTokens,
          completionTokens: call.usage.completionTokens,
          estimated: call.usage.estimated,
          costFen: call.costFen,
        },
      ]);
    } catch (err) {
      logger.warn(
        { orderId, attempt, callIndex, err: { message: (err as Error).message } },
        'could not record a model call in the ledger',
      );
    }
  };
}
