import { Text, Textarea, View } from '@tarojs/components';
import './index.css';

export interface PromptBoxProps {
  value: string;
  /** Most characters accepted (UTF-16 code units, as the server counts them). */
  maxLength: number;
  onChange: (value: string) => void;
}

/** The question input with a live "used/max" counter. */
export function PromptBox({ value, maxLength, onChange }: PromptBoxProps) {
  const over = value.length > maxLength;
  return (
    <View className="prompt-box">
      <Textarea
        className="prompt-box__input prompt-input"
        value={value}
        maxlength={maxLength}
        placeholder="输入你的问题…"
        autoHeight
        disableDefaultPadding
        onInput={(event) => onChange(event.detail.value)}
      />
      <Text className={over ? 'prompt-box__counter prompt-box__counter--over' : 'prompt-box__counter'}>
        {`${value.length}/${maxLength}`}
      </Text>
    </View>
  );
}
