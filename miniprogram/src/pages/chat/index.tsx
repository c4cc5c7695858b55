import { Button, ScrollView, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { PromptBox } from '../../components/prompt-box';
import { TierPicker } from '../../components/tier-picker';
import { useTiers } from '../../hooks/use-tiers';
import { errorText } from '../../utils/error-text';
import './index.css';

/** Longest prompt accepted, in UTF-16 code units (the server enforces the same limit). */
const PROMPT_MAX_LENGTH = 2000;

/** Ask-and-pay page: conversation on top, composer (tiers, prompt, pay) at the bottom. */
export default function ChatPage() {
  const tiers = useTiers();
  const [prompt, setPrompt] = useState('');
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);

  // A reload may drop the chosen tier; only a tier that is on offer counts as chosen.
  const selectedTier = tiers.tiers.find((tier) => tier.id === selectedId);
  const promptReady = prompt.trim().length > 0 && prompt.length <= PROMPT_MAX_LENGTH;
  const canPay = promptReady && selectedTier !== undefined;

  const pay = () => {
    if (!canPay) return;
    // Ordering and payment arrive with the pay flow; until then say so instead of doing nothing.
    void Taro.showToast({ title: '支付功能即将开放', icon: 'none' });
  };

  return (
    <View className="chat">
      <View className="chat__header">
        <Text className="chat__title">向 AI 提问</Text>
        <Text className="chat__subtitle">按次付费，付款后立即生成回答</Text>
      </View>

      <ScrollView className="chat__conversation" scrollY>
        <View className="chat__empty">
          <Text className="chat__empty-title">还没有对话</Text>
          <Text className="chat__empty-hint">写下问题，选择套餐，支付后即可收到回答</Text>
        </View>
      </ScrollView>

      <View className="chat__composer">
        <View className="chat__tiers">
          <TiersSection state={tiers} selectedId={selectedTier?.id} onSelect={setSelectedId} />
        </View>
        <View className="chat__prompt">
          <PromptBox value={prompt} maxLength={PROMPT_MAX_LENGTH} onChange={setPrompt} />
        </View>
        {/* `undefined`, not `false`: Taro H5 renders disabled={false} as disabled="false", styled as disabled. */}
        <Button className="chat__pay" type="primary" disabled={canPay ? undefined : true} onClick={pay}>
          支付并提问
        </Button>
      </View>
    </View>
  );
}

interface TiersSectionProps {
  state: ReturnType<typeof useTiers>;
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}

/** The tier picker, or what stands in for it while loading, after a failure, or when nothing is on offer. */
function TiersSection({ state, selectedId, onSelect }: TiersSectionProps) {
  if (state.status === 'loading' && state.tiers.length === 0) {
    return <Text className="chat__status">正在加载…</Text>;
  }
  if (state.status === 'error') {
    return (
      <View className="chat__status chat__status--error">
        <Text>{errorText(state.error)}</Text>
        <Text className="chat__retry" onClick={state.reload}>
          重试
        </Text>
      </View>
    );
  }
  if (state.tiers.length === 0) {
    return <Text className="chat__status">暂无可用套餐</Text>;
  }
  return <TierPicker tiers={state.tiers} selectedId={selectedId} onSelect={onSelect} />;
}
