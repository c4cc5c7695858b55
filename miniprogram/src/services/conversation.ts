import Taro from '@tarojs/taro';
import type { OrderState } from '@tokentill/shared-types';
import type { OrderUsage } from './order-tracker';

/**
 * One question in the chat and what became of it. `phase` is the client's side of the story (ordering, paying,
 * cancelled, failed to order/pay, paid); once paid, the order's own state (streamed) tells the rest.
 */
export interface Turn {
  /** Local id (also the React key). */
  id: string;
  prompt: string;
  tierId: string;
  tierTitle: string;
  priceFen: number;
  /** Epoch ms. */
  createdAt: number;
  orderId?: string;
  /** `ordering`: the order is being created; `paying`: the pay sheet is open. */
  phase: 'ordering' | 'paying' | 'cancelled' | 'failed' | 'paid';
  /** Why the payment failed (phase `failed`), for the user. */
  failure?: string;
  /**
   * The app closed before the payment finished: the client does not know whether the user paid, so a CREATED
   * order reads "not paid" rather than "waiting for confirmation".
   */
  payUnknown?: boolean;
  /** When the pay sheet reported the payment done (epoch ms): a confirmation is expected right after. */
  paidAt?: number;
  /** The last state the client saw (kept so a reload can show it before the stream catches up). */
  state?: OrderState;
  /**
   * The finished answer, once the order reached a final state (no need to stream it again); `restarted` when
   * another model answered from the start after the first failed mid-answer.
   */
  final?: { state: OrderState; text: string; usage?: OrderUsage; restarted?: boolean };
}

/** Storage key of the conversation. */
export const CONVERSATION_KEY = 'tokentill.conversation.v1';

/** Turns kept (the orders page has the full history). */
export const CONVERSATION_LIMIT = 20;

/** The stored conversation, oldest first. A turn that was paying when the app died is shown as paid-or-not. */
export function loadConversation(): Turn[] {
  let value: unknown;
  try {
    value = Taro.getStorageSync(CONVERSATION_KEY);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.filter(isTurn).map((turn) =>
    // The app closed mid-payment: whether it went through is the server's to say (the order's state).
    turn.phase === 'paying' || turn.phase === 'ordering'
      ? turn.orderId
        ? { ...turn, phase: 'paid', payUnknown: true }
        : { ...turn, phase: 'cancelled' }
      : turn,
  );
}

/** Stores the last {@link CONVERSATION_LIMIT} turns. */
export function saveConversation(turns: readonly Turn[]): void {
  try {
    Taro.setStorageSync(CONVERSATION_KEY, turns.slice(-CONVERSATION_LIMIT));
  } catch {
    // Storage full or unavailable: the conversation lives on in memory, the orders page has the history.
  }
}

function isTurn(value: unknown): value is Turn {
  if (typeof value !== 'object' || value === null) return false;
  const turn = value as Partial<Turn>;
  return (
    typeof turn.id === 'string' &&
    typeof turn.prompt === 'string' &&
    typeof turn.tierId === 'string' &&
    typeof turn.priceFen === 'number' &&
    typeof turn.phase === 'string'
  );
}

/** A question to put back in the chat's prompt box (from "重新提问" on the order page). */
export interface Draft {
  prompt: string;
  tierId: string;
}

const DRAFT_KEY = 'tokentill.draft';

/** Leaves a draft for the chat page to pick up when it shows next. */
export function saveDraft(draft: Draft): void {
  Taro.setStorageSync(DRAFT_KEY, draft);
}

/** Takes (and removes) the draft left by {@link saveDraft}, if any. */
export function takeDraft(): Draft | undefined {
  let value: unknown;
  try {
    value = Taro.getStorageSync(DRAFT_KEY);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  Taro.removeStorageSync(DRAFT_KEY);
  const { prompt, tierId } = value as Partial<Draft>;
  return typeof prompt === 'string' && typeof tierId === 'string' ? { prompt, tierId } : undefined;
}
