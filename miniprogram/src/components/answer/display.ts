import type { OrderState } from '@tokentill/shared-types';
import { formatPriceFen } from '../../utils/money';
import { STATE_LABEL, stateModifier } from '../../utils/order-state';

/** Everything that decides what an answer bubble shows. */
export interface AnswerInput {
  /** The client's side: paying, cancelled, payment failed, or paid (then the order state tells the rest). */
  phase: 'paying' | 'cancelled' | 'failed' | 'paid';
  state: OrderState | undefined;
  text: string;
  /** Why the payment failed (phase `failed`) or the order cannot be followed. */
  problem?: string;
  /** Paid-or-not is unknown (the app closed mid-payment). */
  payUnknown?: boolean;
  /** What the order cost (fen): a refund names the amount sent back. */
  priceFen?: number;
}

/** What the bubble shows. */
export interface AnswerDisplay {
  /** Class modifier and stable test hook: `order-state--<modifier>`. */
  modifier: string;
  /** The short status under the bubble. */
  label: string;
  /** The bubble's text when it is a status rather than the answer. */
  message?: string;
  /** Show the answer text (streamed or final). */
  showText: boolean;
  /** A blinking cursor after the text: tokens are still coming. */
  cursor: boolean;
  /** Offer "重新提问" (ask again). */
  retry: boolean;
  /** Tone of the message: `error` in red. */
  tone: 'normal' | 'muted' | 'error';
}

/** Maps a turn's phase and its order's state to what the user sees. */
export function describeAnswer(input: AnswerInput): AnswerDisplay {
  const { phase, state, text, problem, priceFen } = input;
  if (phase === 'paying') {
    return status('paying', '支付中', '正在发起支付…', 'muted');
  }
  if (phase === 'cancelled') {
    return status('cancelled', '已取消', '已取消支付，未扣款。问题已保留，可再次提问', 'muted');
  }
  if (phase === 'failed') {
    return status('pay-failed', '支付失败', problem ?? '支付未完成，请重试', 'error');
  }
  if (problem !== undefined && state === undefined) {
    return status('error', '出错了', problem, 'error');
  }
  switch (state) {
    case undefined:
    case 'CREATED':
      return input.payUnknown
        ? { ...status('unpaid', '未支付', '支付未完成，未扣款', 'muted'), retry: true }
        : status('waiting', '待确认', '等待支付确认…', 'muted');
    case 'PAID':
      return status(stateModifier(state), STATE_LABEL[state], '支付成功，正在生成回答…', 'muted');
    case 'GENERATING':
      return text === ''
        ? { ...status(stateModifier(state), STATE_LABEL[state], '正在思考', 'muted'), cursor: true }
        : answer(stateModifier(state), STATE_LABEL[state], true);
    case 'COMPLETED':
      return answer(stateModifier(state), STATE_LABEL[state], false);
    case 'FAILED':
    case 'REFUNDING':
      return status(stateModifier(state), STATE_LABEL[state], '生成失败，正在原路退款…', 'error');
    case 'REFUNDED':
      return {
        ...status(
          stateModifier(state),
          STATE_LABEL[state],
          priceFen === undefined
            ? '生成失败，已原路退回'
            : `生成失败，${formatPriceFen(priceFen)} 已原路退回`,
          'error',
        ),
        retry: true,
      };
    case 'REFUND_FAILED':
      return {
        ...status(
          stateModifier(state),
          STATE_LABEL[state],
          '生成失败，退款处理中，如有疑问请联系客服',
          'error',
        ),
        retry: true,
      };
    case 'CLOSED':
      return {
        ...status(stateModifier(state), STATE_LABEL[state], '订单已关闭，未扣款', 'muted'),
        retry: true,
      };
  }
}

function status(
  modifier: string,
  label: string,
  message: string,
  tone: AnswerDisplay['tone'],
): AnswerDisplay {
  return { modifier, label, message, showText: false, cursor: false, retry: false, tone };
}

function answer(modifier: string, label: string, cursor: boolean): AnswerDisplay {
  return { modifier, label, showText: true, cursor, retry: false, tone: 'normal' };
}
