import { Text, View } from '@tarojs/components';
import { ContactButton } from '../contact-button';
import { describeAnswer, type AnswerInput } from './display';
import './index.css';

export interface AnswerBubbleProps extends AnswerInput {
  /** Shown as "重新提问" where the order ended without an answer and nothing is owed. */
  onRetry?: () => void;
  /**
   * Show the short status under the bubble (default). The order page turns it off: its header already shows the
   * order's state badge, which would otherwise read twice ("已完成" … "已完成").
   */
  showState?: boolean;
  /** The network is down or the stream silent: a quiet "重新连接中…" under the bubble until it flows again. */
  reconnecting?: boolean;
  /** The order, for customer service (a refund that needs a person). */
  orderId?: string;
}

/**
 * The answer side of a question: a status while ordering, paying and waiting, the text as it streams (with a
 * blinking cursor), the final answer, or what went wrong and what happened to the money. Stable hooks for tests:
 * `.answer-text`, `.answer-cursor`, `.order-state.order-state--<state>`, `.retry-button`, `.answer-restarted`,
 * `.answer-reconnecting`, `.contact-button`.
 */
export function AnswerBubble(props: AnswerBubbleProps) {
  const display = describeAnswer(props);
  const showState = props.showState !== false;
  const retry = display.retry && props.onRetry !== undefined;
  const reconnecting = props.reconnecting === true;
  return (
    <View className={`answer answer--${display.modifier}`}>
      <View className="answer__bubble">
        {display.note ? <Text className="answer__note answer-restarted">{display.note}</Text> : null}
        {display.showText ? (
          <Text className="answer-text" userSelect>
            {props.text}
          </Text>
        ) : (
          <Text
            className={`answer__message answer__message--${display.messageTone}${
              display.message && props.restarted && display.cursor ? ' answer-restarted' : ''
            }`}
          >
            {display.message}
          </Text>
        )}
        {display.cursor ? <Text className="answer-cursor" /> : null}
      </View>
      {showState || retry || display.contact || reconnecting ? (
        <View className="answer__meta">
          {showState ? (
            <Text
              className={`answer__state tt-tone--${display.tone} order-state order-state--${display.modifier}`}
            >
              {display.label}
            </Text>
          ) : null}
          {reconnecting ? (
            <Text className="answer__reconnecting answer-reconnecting">重新连接中…</Text>
          ) : null}
          {retry ? (
            <Text
              className={
                showState
                  ? 'answer__retry retry-button tt-tap'
                  : 'answer__retry answer__retry--alone retry-button tt-tap'
              }
              onClick={props.onRetry}
            >
              重新提问
            </Text>
          ) : null}
          {display.contact ? <ContactButton orderId={props.orderId} className="answer__contact" /> : null}
        </View>
      ) : null}
    </View>
  );
}
