import { Text, View } from '@tarojs/components';
import { describeAnswer, type AnswerInput } from './display';
import './index.css';

export interface AnswerBubbleProps extends AnswerInput {
  /** Shown as "重新提问" where the order ended without an answer. */
  onRetry?: () => void;
  /**
   * Show the short status under the bubble (default). The order page turns it off: its header already shows the
   * order's state badge, which would otherwise read twice ("已完成" … "已完成").
   */
  showState?: boolean;
}

/**
 * The answer side of a question: a status while paying and waiting, the text as it streams (with a blinking
 * cursor), the final answer, or what went wrong and what happened to the money. Stable hooks for tests:
 * `.answer-text`, `.answer-cursor`, `.order-state.order-state--<state>`, `.retry-button`.
 */
export function AnswerBubble(props: AnswerBubbleProps) {
  const display = describeAnswer(props);
  const showState = props.showState !== false;
  const retry = display.retry && props.onRetry !== undefined;
  return (
    <View className={`answer answer--${display.modifier}`}>
      <View className="answer__bubble">
        {display.showText ? (
          <Text className="answer-text" userSelect>
            {props.text}
          </Text>
        ) : (
          <Text className={`answer__message answer__message--${display.tone}`}>{display.message}</Text>
        )}
        {display.cursor ? <Text className="answer-cursor" /> : null}
      </View>
      {showState || retry ? (
        <View className="answer__meta">
          {showState ? (
            <Text className={`answer__state order-state order-state--${display.modifier}`}>
              {display.label}
            </Text>
          ) : null}
          {retry ? (
            <Text
              className={
                showState ? 'answer__retry retry-button' : 'answer__retry answer__retry--alone retry-button'
              }
              onClick={props.onRetry}
            >
              重新提问
            </Text>
          ) : null}
        </View>
      ) : null}
    </View>
  );
}
