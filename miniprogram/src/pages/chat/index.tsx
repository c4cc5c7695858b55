import { Button, ScrollView, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import type { WxPayRequestParams } from '@tokentill/shared-types';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AnswerBubble } from '../../components/answer';
import { PaySheet } from '../../components/pay-sheet';
import { PromptBox } from '../../components/prompt-box';
import { SandboxPanel } from '../../components/sandbox-panel';
import { TierPicker } from '../../components/tier-picker';
import { useOrderStream } from '../../hooks/use-order-stream';
import { useTiers } from '../../hooks/use-tiers';
import { loadConversation, saveConversation, takeDraft, type Turn } from '../../services/conversation';
import { answerTemplateId, requestAnswerNotification } from '../../services/notify';
import { confirmOrder, createOrder } from '../../services/orders';
import { pay } from '../../services/payment';
import { errorText, errorTextForCode } from '../../utils/error-text';
import { formatPriceFen } from '../../utils/money';
import { isFinalState } from '../../utils/order-state';
import './index.css';

/** Longest prompt accepted, in UTF-16 code units (shared-types' PROMPT_MAX_CHARS; the server enforces it). */
const PROMPT_MAX_LENGTH = 2000;

/** An order created but not paid (the user cancelled): asking the same again pays it instead of a new one. */
interface UnpaidOrder {
  orderId: string;
  params: WxPayRequestParams;
  prompt: string;
  tierId: string;
  createdAt: number;
}

/**
 * How long an unpaid order is offered again. Well inside WeChat Pay's prepay validity (2 h) and the server's
 * `time_expire`; unpaid orders also count against TOO_MANY_UNPAID_ORDERS, so reusing one matters.
 */
const UNPAID_REUSE_MS = 10 * 60_000;

let turnCounter = 0;
const newTurnId = () => `t${Date.now().toString(36)}${(turnCounter++).toString(36)}`;

/**
 * Ask-and-pay page: the conversation on top (each question with its answer streaming in), the composer (tiers,
 * prompt, pay button) at the bottom. Flow per question: subscribe-message grant → `POST /api/orders` → payment
 * (cancel keeps the prompt, nothing charged) → stream the answer and `POST /confirm` → done, or failed and
 * refunded, with "重新提问" to ask again.
 */
export default function ChatPage() {
  const tiers = useTiers();
  const [prompt, setPrompt] = useState('');
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [turns, setTurns] = useState<Turn[]>(loadConversation);
  const [paying, setPaying] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [scrollTick, setScrollTick] = useState(0);
  const unpaid = useRef<UnpaidOrder | undefined>(undefined);

  useEffect(() => saveConversation(turns), [turns]);

  // "重新提问" on the order page leaves its question here.
  const applyDraft = useCallback(() => {
    const draft = takeDraft();
    if (!draft) return;
    setPrompt(draft.prompt);
    setSelectedId(draft.tierId);
    setNotice(undefined);
  }, []);
  useEffect(applyDraft, [applyDraft]);
  useDidShow(applyDraft);

  // Preselect the first tier (the server lists them cheapest first); a reload that drops the chosen tier
  // falls back to the first again.
  const selectedTier = tiers.tiers.find((tier) => tier.id === selectedId) ?? tiers.tiers[0];
  const promptReady = prompt.trim().length > 0 && prompt.length <= PROMPT_MAX_LENGTH;
  const canPay = promptReady && selectedTier !== undefined && !paying;

  const updateTurn = useCallback((id: string, patch: Partial<Turn>) => {
    setTurns((all) => all.map((turn) => (turn.id === id ? { ...turn, ...patch } : turn)));
  }, []);

  const scrollToEnd = useCallback(() => setScrollTick((n) => n + 1), []);

  // Keep the newest turn in view whenever it changes: added, paid, cancelled (its message grows to two lines),
  // failed, settled (final text, "重新提问" appears), refunded… A streaming answer also calls onGrow per chunk.
  // An error notice above the pay button makes the conversation shorter, so it counts too.
  const lastTurn = turns[turns.length - 1];
  const lastTurnShape = lastTurn
    ? [
        lastTurn.id,
        lastTurn.phase,
        lastTurn.state ?? '',
        lastTurn.payUnknown ? 'unknown' : '',
        lastTurn.failure ?? '',
        lastTurn.final?.state ?? '',
        lastTurn.final?.text.length ?? -1,
      ].join('|')
    : '';
  useEffect(() => {
    scrollToEnd();
  }, [lastTurnShape, notice, scrollToEnd]);

  const askAndPay = async () => {
    if (!canPay || !selectedTier) return;
    const tier = selectedTier;
    const question = prompt;
    setPaying(true);
    setNotice(undefined);

    // WeChat shows the subscribe dialog only in direct response to a tap: ask before any network call.
    await requestAnswerNotification();

    const turn: Turn = {
      id: newTurnId(),
      prompt: question,
      tierId: tier.id,
      tierTitle: tier.title,
      priceFen: tier.priceFen,
      createdAt: Date.now(),
      phase: 'paying',
    };
    // Earlier attempts that were never paid make way for this one.
    setTurns((all) => [...all.filter((t) => t.phase !== 'cancelled' && t.phase !== 'failed'), turn]);

    let order = unpaid.current;
    if (
      !order ||
      order.prompt !== question ||
      order.tierId !== tier.id ||
      Date.now() - order.createdAt > UNPAID_REUSE_MS
    ) {
      try {
        const created = await createOrder({ prompt: question, tier: tier.id });
        order = {
          orderId: created.orderId,
          params: created.payment.params,
          prompt: question,
          tierId: tier.id,
          createdAt: Date.now(),
        };
        unpaid.current = order;
      } catch (error) {
        setTurns((all) => all.filter((t) => t.id !== turn.id));
        setNotice(errorText(error));
        setPaying(false);
        return;
      }
    }
    const { orderId } = order;
    updateTurn(turn.id, { orderId });

    const result = await pay({
      orderId,
      params: order.params,
      amountFen: tier.priceFen,
      description: tier.title,
    });
    if (result.status === 'cancelled') {
      // Nothing charged; the prompt stays in the box and the order is offered again.
      updateTurn(turn.id, { phase: 'cancelled' });
      setPaying(false);
      return;
    }
    unpaid.current = undefined;
    if (result.status === 'failed') {
      updateTurn(turn.id, { phase: 'failed', failure: result.message });
      setPaying(false);
      return;
    }
    updateTurn(turn.id, { phase: 'paid' });
    setPrompt('');
    setPaying(false);
    // The answer's stream subscribes as the paid turn renders; the server checks the payment with WeChat Pay.
    confirmOrder(orderId).then(
      (confirmed) => updateTurn(turn.id, { state: confirmed.state }),
      () => undefined, // The payment notification moves the order anyway; the stream shows when.
    );
  };

  const askAgain = useCallback((turn: Turn) => {
    setPrompt(turn.prompt);
    setSelectedId(turn.tierId);
    setNotice(undefined);
  }, []);

  const settle = useCallback(
    (id: string, final: NonNullable<Turn['final']>) => updateTurn(id, { final, state: final.state }),
    [updateTurn],
  );

  const payLabel = paying
    ? '支付中…'
    : selectedTier
      ? `支付 ${formatPriceFen(selectedTier.priceFen)} 并提问`
      : '支付并提问';

  return (
    <View className="chat">
      <ScrollView className="chat__conversation" scrollY scrollTop={1_000_000 + scrollTick}>
        <View className="chat__header">
          <View className="chat__heading">
            <Text className="chat__title">向 AI 提问</Text>
            <Text className="chat__subtitle">按次付费，付款后立即生成回答</Text>
          </View>
          {/* H5 sandbox mode only (renders nothing otherwise): a small pill in the header's top-right corner. */}
          <SandboxPanel />
        </View>
        {turns.length === 0 ? (
          <View className="chat__empty">
            <Text className="chat__empty-title">还没有对话</Text>
            <Text className="chat__empty-hint">写下问题，选择套餐，支付后即可收到回答</Text>
          </View>
        ) : (
          turns.map((turn) => (
            <TurnView
              key={turn.id}
              turn={turn}
              onSettled={settle}
              onAskAgain={askAgain}
              onGrow={scrollToEnd}
            />
          ))
        )}
        {/* Room below the last bubble, so its status line never sits against the composer. */}
        <View className="chat__end" />
      </ScrollView>

      <View className="chat__composer">
        <View className="chat__tiers">
          <TiersSection state={tiers} selectedId={selectedTier?.id} onSelect={setSelectedId} />
        </View>
        <View className="chat__prompt">
          <PromptBox value={prompt} maxLength={PROMPT_MAX_LENGTH} onChange={setPrompt} />
        </View>
        {notice ? (
          <View className="chat__notice error-notice">
            <Text>{notice}</Text>
          </View>
        ) : null}
        {/* `undefined`, not `false`: Taro H5 renders disabled={false} as disabled="false", styled as disabled. */}
        <Button
          className={canPay ? 'chat__pay chat__pay--ready pay-button' : 'chat__pay pay-button'}
          type="primary"
          disabled={canPay ? undefined : true}
          onClick={() => void askAndPay()}
        >
          {payLabel}
        </Button>
        {answerTemplateId() ? (
          <Text className="chat__subscribe-note subscribe-note">回答完成后通知你，离开页面也不会错过</Text>
        ) : null}
      </View>
      <PaySheet />
    </View>
  );
}

interface TurnViewProps {
  turn: Turn;
  onSettled: (id: string, final: NonNullable<Turn['final']>) => void;
  onAskAgain: (turn: Turn) => void;
  onGrow: () => void;
}

/** One question (right, green like the user's own messages in WeChat) and its answer (left, white). */
function TurnView({ turn, onSettled, onAskAgain, onGrow }: TurnViewProps) {
  const live = turn.phase === 'paid' && turn.orderId !== undefined && turn.final === undefined;
  return (
    <View className={`turn turn--${turn.phase}`}>
      <View className="turn__question">
        <View className="turn__bubble prompt-bubble">
          <Text className="turn__prompt" userSelect>
            {turn.prompt}
          </Text>
        </View>
        <Text className="turn__meta">{`${turn.tierTitle} · ${formatPriceFen(turn.priceFen)}`}</Text>
      </View>
      <View className="turn__answer">
        {live ? (
          <LiveAnswer turn={turn} onSettled={onSettled} onAskAgain={onAskAgain} onGrow={onGrow} />
        ) : (
          <AnswerBubble
            phase={turn.phase}
            state={turn.final?.state}
            text={turn.final?.text ?? ''}
            problem={turn.failure}
            priceFen={turn.priceFen}
            onRetry={() => onAskAgain(turn)}
          />
        )}
      </View>
    </View>
  );
}

/** A paid question's answer, streamed until the order is final, then handed to the page to keep. */
function LiveAnswer({ turn, onSettled, onAskAgain, onGrow }: TurnViewProps) {
  const stream = useOrderStream(turn.orderId, { stateHint: turn.state });
  const { state, text, usage } = stream;
  // COMPLETED settles with its usage (the socket's `done`), after the last chunk.
  const settled = isFinalState(state) && (state !== 'COMPLETED' || usage !== undefined);

  useEffect(() => {
    if (settled && state) onSettled(turn.id, { state, text, ...(usage ? { usage } : {}) });
  }, [settled, state, text, usage, turn.id, onSettled]);

  const problem = stream.error ? errorTextForCode(stream.error.code) : undefined;
  useEffect(() => {
    onGrow();
  }, [text.length, state, problem, onGrow]);

  return (
    <AnswerBubble
      phase="paid"
      state={state}
      text={text}
      problem={problem}
      payUnknown={turn.payUnknown}
      priceFen={turn.priceFen}
      onRetry={() => onAskAgain(turn)}
    />
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
