import type { OrderState } from '@tokentill/shared-types';
import { formatPriceFen } from '../../utils/money';
import { STATE_LABEL, STATE_TONE, stateModifier, type Tone } from '../../utils/order-state';

/** Everything that decides what an answer bubble shows. */
export interface AnswerInput {
  /**
   * The client's side: creating the order, paying (the pay sheet is open), cancelled, payment failed, or paid
   * (then the order state tells the rest).
   */
  phase: 'ordering' | 'paying' | 'cancelled' | 'failed' | 'paid';
  state: OrderState | undefined;
  text: string;
  /** Why the payment failed (phase `failed`) or the order cannot be followed. */
  problem?: string;
  /** Paid-or-not is unknown (the app closed mid-payment). */
  payUnknown?: boolean;
  /** What the order cost (fen): a refund names the amount sent back. */
  priceFen?: number;
  /** The answer was restarted with another model (its first model failed mid-answer). */
  restarted?: boolean;
  /**
   * Paid a moment ago and not confirmed yet: still reads "支付中" rather than flashing "待确认" for the instant
   * the confirmation usually takes (see the chat page's CONFIRM_GRACE_MS).
   */
  confirming?: boolean;
}

/** What the bubble shows. */
export interface AnswerDisplay {
  /** Class modifier and stable test hook: `order-state--<modifier>`. */
  modifier: string;
  /** The short status under the bubble. */
  label: string;
  /** Colour of the status, the same for a state everywhere it is shown (utils/order-state.ts STATE_TONE). */
  tone: Tone;
  /** The bubble's text when it is a status rather than the answer. */
  message?: string;
  /** A short line above a restarted answer's text. */
  note?: string;
  /** Show the answer text (streamed or final). */
  showText: boolean;
  /** A blinking cursor after the text: tokens are still coming. */
  cursor: boolean;
  /** Offer "重新提问" (ask again). */
  retry: boolean;
  /** Offer customer service: the money needs a person (a refund that did not go through). */
  contact: boolean;
  /** Tone of the message: `error` in red. */
  messageTone: 'normal' | 'muted' | 'error';
}

/** The line shown while another model starts the answer over. */
export const RESTART_MESSAGE = '上一个模型中断，正在换用另一个模型重新回答…';
/** The note above an answer that was started over. */
export const RESTART_NOTE = '已换用另一个模型重新回答';

/** Maps a turn's phase and its order's state to what the user sees. */
export function describeAnswer(input: AnswerInput): AnswerDisplay {
  const { phase, state, text, problem, priceFen } = input;
  if (phase === 'ordering') return status('ordering', '下单中', 'busy', '正在下单…', 'muted');
  if (phase === 'paying') return status('paying', '支付中', 'busy', '请在支付页面完成付款…', 'muted');
  if (phase === 'cancelled') {
    return status('cancelled', '已取消', 'off', '已取消支付，未扣款。问题已保留，可再次提问', 'muted');
  }
  if (phase === 'failed') {
    return status('pay-failed', '支付失败', 'bad', problem ?? '支付未完成，未扣款，请重试', 'error');
  }
  if (problem !== undefined && state === undefined) {
    return status('error', '出错了', 'bad', problem, 'error');
  }
  switch (state) {
    case undefined:
      if (input.confirming) return status('paying', '支付中', 'busy', '正在确认支付…', 'muted');
      // Whether the payment went through is not known yet: say so rather than guess either way.
      return input.payUnknown
        ? status('checking', '确认中', 'busy', '正在确认支付结果…', 'muted')
        : status('waiting', '待确认', 'busy', '等待支付确认…', 'muted');
    case 'CREATED':
      if (input.confirming) return status('paying', '支付中', 'busy', '正在确认支付…', 'muted');
      return input.payUnknown
        ? { ...status('unpaid', '未支付', 'off', '支付未完成，未扣款', 'muted'), retry: true }
        : status('waiting', '待确认', 'busy', '等待支付确认…', 'muted');
    case 'PAID':
    case 'GENERATING': {
      // Paid and being answered read as one step ("生成中"): no flicker through 已支付 on the way to the text.
      const generating = (message: string) => ({
        ...status('generating', STATE_LABEL.GENERATING, STATE_TONE.GENERATING, message, 'muted' as const),
        cursor: true,
      });
      if (text === '') return generating(input.restarted ? RESTART_MESSAGE : '支付成功，正在生成回答…');
      return { ...answer('generating', STATE_LABEL.GENERATING, true), ...restartNote(input) };
    }
    case 'COMPLETED':
      return { ...answer(stateModifier(state), STATE_LABEL[state], false), ...restartNote(input) };
    case 'FAILED':
    case 'REFUNDING':
      return status(
        stateModifier(state),
        STATE_LABEL[state],
        STATE_TONE[state],
        '生成失败，正在原路退款…',
        'error',
      );
    case 'REFUNDED':
      return {
        ...status(
          stateModifier(state),
          STATE_LABEL[state],
          STATE_TONE[state],
          priceFen === undefined
            ? '生成失败，已原路退回，未产生费用'
            : `生成失败，${formatPriceFen(priceFen)} 已原路退回`,
          'muted',
        ),
        retry: true,
      };
    case 'REFUND_FAILED':
      // The money needs a person: customer service, not "ask again" (which would only charge again).
      return {
        ...status(
          stateModifier(state),
          STATE_LABEL[state],
          STATE_TONE[state],
          '生成失败，退款未能自动完成。请联系客服并提供订单号，我们会人工退款',
          'error',
        ),
        contact: true,
      };
    case 'CLOSED':
      return {
        ...status(stateModifier(state), STATE_LABEL[state], STATE_TONE[state], '订单已关闭，未扣款', 'muted'),
        retry: true,
      };
  }
}

function status(
  modifier: string,
  label: string,
  tone: Tone,
  message: string,
  messageTone: AnswerDisplay['messageTone'],
): AnswerDisplay {
  return {
    modifier,
    label,
    tone,
    message,
    showText: false,
    cursor: false,
    retry: false,
    contact: false,
    messageTone,
  };
}

function answer(modifier: string, label: string, cursor: boolean): AnswerDisplay {
  const tone = cursor ? STATE_TONE.GENERATING : STATE_TONE.COMPLETED;
  return {
    modifier,
    label,
    tone,
    showText: true,
    cursor,
    retry: false,
    contact: false,
    messageTone: 'normal',
  };
}

function restartNote(input: AnswerInput): Pick<AnswerDisplay, 'note'> {
  return input.restarted ? { note: RESTART_NOTE } : {};
}
