import { Text, Textarea, View } from '@tarojs/components';
import { promptChars } from '@tokentill/shared-types';
import './index.css';

export interface PromptBoxProps {
  value: string;
  /** Most characters accepted, counted as a person does (code points, as the server counts them). */
  maxLength: number;
  onChange: (value: string) => void;
  /** The input gained or lost focus (the chat page expands a collapsed composer while it has focus). */
  onFocusChange?: (focused: boolean) => void;
}

const isH5 = process.env.TARO_ENV === 'h5';

/**
 * What the input lets through. Never the prompt limit itself: a paste over it is kept whole (the counter turns
 * red and says by how much), never cut silently. WeChat's textarea takes -1 for "no limit"; a browser refuses a
 * negative maxLength, so H5 gets a bound no one types or pastes.
 */
const INPUT_LIMIT = isH5 ? 1_000_000 : -1;

/**
 * The question input with a live "used/max" counter, counted in characters as a person counts them. Over the
 * limit the counter turns red and a line says by how much; a prompt of only blank characters says why it cannot
 * be sent. The input grows with its text up to five lines and shrinks back as text is removed: WeChat's
 * `autoHeight` does both, Taro's H5 textarea only grows, so on H5 a hidden copy of the text (the "mirror")
 * sizes the box and the textarea fills it.
 */
export function PromptBox({ value, maxLength, onChange, onFocusChange }: PromptBoxProps) {
  const length = promptChars(value);
  const over = length - maxLength;
  const blank = value !== '' && value.trim() === '';
  return (
    <View className="prompt-box">
      <View className={over > 0 ? 'prompt-box__row prompt-box__row--over' : 'prompt-box__row'}>
        <View className={isH5 ? 'prompt-box__field prompt-box__field--mirrored' : 'prompt-box__field'}>
          {/* A trailing newline keeps room for the line being typed after a final line break. */}
          {isH5 ? <Text className="prompt-box__mirror">{`${value}\n`}</Text> : null}
          <Textarea
            className="prompt-box__input prompt-input"
            value={value}
            maxlength={INPUT_LIMIT}
            placeholder="输入你的问题…"
            autoHeight={!isH5}
            disableDefaultPadding
            onInput={(event) => onChange(event.detail.value)}
            onFocus={() => onFocusChange?.(true)}
            onBlur={() => onFocusChange?.(false)}
          />
        </View>
        <Text
          className={over > 0 ? 'prompt-box__counter prompt-box__counter--over' : 'prompt-box__counter'}
        >{`${length}/${maxLength}`}</Text>
      </View>
      {over > 0 ? (
        <Text className="prompt-box__hint prompt-box__hint--over">{`超出 ${over} 字，删减后才能支付`}</Text>
      ) : blank ? (
        <Text className="prompt-box__hint">问题只有空白，请输入内容后再支付</Text>
      ) : null}
    </View>
  );
}
