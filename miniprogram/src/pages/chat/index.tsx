import { Button, ScrollView, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { PROMPT_MAX_CHARS, promptChars } from '@tokentill/shared-types';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AnswerBubble } from '../../components/answer';
import { PaySheet } from '../../components/pay-sheet';
import { PromptBox } from '../../components/prompt-box';
import { SandboxPanel } from '../../components/sandbox-panel';
import { TierPicker } from '../../components/tier-picker';
import { useFollowBottom } from '../../hooks/use-follow-bottom';
import { useOrderStream } from '../../hooks/use-order-stream';
import { useTiers } from '../../hooks/use-tiers';
import { ApiError } from '../../services/api-error';
import { loadConversation, saveConversation, takeDraft, type Turn } from '../../services/conversation';
import { answerTemplateId, requestAnswerNotification } from '../../services/notify';
import { obtainOrder } from '../../services/order-request';
import { confirmOrder } from '../../services/orders';
import { pay } from '../../services/payment';
import { forgetUnpaidOrder } from '../../services/unpaid-order';
import { errorText, errorTextForCode } from '../../utils/error-text';
import { formatPriceFen } from '../../utils/money';
import { amountNote, isFinalState } from '../../utils/order-state';
import './index.css';

/**
 * How long after the pay sheet closes a payment may take to be confirmed before the answer says "待确认". It is
 * usually confirmed within a blink: showing 支付中 → 待确认 → 生成中 in 200 ms would only flicker.
 */
export const CONFIRM_GRACE_MS = 800;

/** The conversation's scroll view (H5 scrolls it through the DOM: see use-follow-bottom.ts). */
const CONVERSATION_ID = 'chat-conversation';

let turnCounter = 0;
const newTurnId = () => `t${Date.now().toString(36)}${(turnCounter++).toString(36)}`;

/** What the composer is doing: nothing, creating the order ("正在下单…"), or waiting on the open pay sheet. */
type Busy = 'idle' | 'ordering' | 'paying';

/**
 * Ask-and-pay page: the conversation on top (each question with its answer streaming in), the composer (tiers,
 * prompt, pay button) at the bottom. Flow per question: subscribe-message grant → the order (the unpaid one for
 * the same question, or a new one; a creation that timed out is found on the server rather than left behind) →
 * payment (cancel keeps the prompt, nothing charged) → stream the answer and `POST /confirm` → done, or failed
 * and refunded, with "重新提问" to ask again.
 *
 * The conversation follows new text only while the user is at its bottom; scrolled up to read, new text raises
 * a "有新内容" pill instead, and on a short screen the composer folds down to the prompt and the pay button.
 */
export default function ChatPage() {
  const tiers = useTiers();
  const [prompt, setPrompt] = useState('');
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [turns, setTurns] = useState<Turn[]>(loadConversation);
  const [busy, setBusy] = useState<Busy>('idle');
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [composerFocused, setComposerFocused] = useState(false);
  const scroll = useFollowBottom(CONVERSATION_ID);
  const promptRef = useRef(prompt);
  promptRef.current = prompt;

  useEffect(() => saveConversation(turns), [turns]);

  /** Puts a question back in the box; asks first when it would replace a different unsent one. */
  const replaceDraft = useCallback(async (next: { prompt: string; tierId: string }) => {
    const current = promptRef.current.trim();
    if (current !== '' && current !== next.prompt.trim()) {
      const answer = await Taro.showModal({
        title: '替换输入框中的问题？',
        content: '输入框里还有没发出的问题，重新提问会替换它。',
        confirmText: '替换',
        cancelText: '保留',
      }).catch(() => ({ confirm: false }));
      if (!answer.confirm) return;
    }
    setPrompt(next.prompt);
    setSelectedId(next.tierId);
    setNotice(undefined);
  }, []);

  // "重新提问" on the order page leaves its question here.
  const applyDraft = useCallback(() => {
    const draft = takeDraft();
    if (draft) void replaceDraft(draft);
  }, [replaceDraft]);
  useEffect(applyDraft, [applyDraft]);
  useDidShow(applyDraft);

  // The chosen tier, else the first that can take an order (the server lists them cheapest first).
  const selectedTier =
    tiers.tiers.find((tier) => tier.id === selectedId) ??
    tiers.tiers.find((tier) => tier.available !== false) ??
    tiers.tiers[0];
  const question = prompt.trim();
  const questionChars = promptChars(question);
  const promptReady = questionChars > 0 && questionChars <= PROMPT_MAX_CHARS;
  const tierReady = selectedTier !== undefined && selectedTier.available !== false;
  const canPay = promptReady && tierReady && busy === 'idle';

  const updateTurn = useCallback((id: string, patch: Partial<Turn>) => {
    setTurns((all) => all.map((turn) => (turn.id === id ? { ...turn, ...patch } : turn)));
  }, []);

  // Follow the newest turn whenever it changes: added, paid, cancelled (its message grows to two lines), failed,
  // settled (final text, "重新提问" appears), refunded… A streaming answer also reports each chunk (onGrow). An
  // error notice above the pay button makes the conversation shorter, so it counts too.
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
  const { contentGrew, jumpToEnd } = scroll;
  useEffect(() => {
    contentGrew();
  }, [lastTurnShape, notice, contentGrew]);

  /** After a payment attempt failed: whether money was taken is the server's to say, so ask it. */
  const settleFailedPayment = async (turnId: string, orderId: string) => {
    let state: Turn['state'];
    try {
      state = (await confirmOrder(orderId)).state;
    } catch {
      // Cannot tell now: follow the order, which shows what the server says once it is reachable.
      updateTurn(turnId, { phase: 'paid', payUnknown: true });
      return;
    }
    if (state === 'CREATED' || state === 'CLOSED') {
      updateTurn(turnId, { phase: 'failed', failure: '支付未完成，未扣款。问题已保留，可再次提问' });
      return;
    }
    // It went through after all: the answer is on its way.
    forgetUnpaidOrder(orderId);
    setPrompt('');
    updateTurn(turnId, { phase: 'paid', state });
  };

  const askAndPay = async () => {
    if (!canPay || !selectedTier) return;
    const tier = selectedTier;
    setBusy('ordering');
    setNotice(undefined);

    // WeChat shows the subscribe dialog only in direct response to a tap: ask before any network call.
    await requestAnswerNotification();

    const turn: Turn = {
      id: newTurnId(),
      // As the server stores it and the model reads it: trimmed.
      prompt: question,
      tierId: tier.id,
      tierTitle: tier.title,
      priceFen: tier.priceFen,
      createdAt: Date.now(),
      phase: 'ordering',
    };
    // Earlier attempts that were never paid make way for this one.
    setTurns((all) => [...all.filter((t) => t.phase !== 'cancelled' && t.phase !== 'failed'), turn]);
    jumpToEnd();

    let order;
    try {
      order = await obtainOrder({ prompt: question, tier: tier.id });
    } catch (error) {
      setTurns((all) => all.filter((t) => t.id !== turn.id));
      setNotice(errorText(error));
      setBusy('idle');
      // The tier turned out to be busy: show it as such.
      if (error instanceof ApiError && error.code === 'TIER_UNAVAILABLE') tiers.reload();
      return;
    }
    const { orderId } = order;
    // "支付中" only now, as the pay sheet opens.
    updateTurn(turn.id, { orderId, phase: 'paying' });
    setBusy('paying');

    const result = await pay({
      orderId,
      params: order.params,
      amountFen: tier.priceFen,
      description: tier.title,
    });
    setBusy('idle');
    if (result.status === 'cancelled') {
      // Nothing charged; the prompt stays in the box and the same order is offered again.
      updateTurn(turn.id, { phase: 'cancelled' });
      return;
    }
    if (result.status === 'failed') {
      await settleFailedPayment(turn.id, orderId);
      return;
    }
    forgetUnpaidOrder(orderId);
    updateTurn(turn.id, { phase: 'paid', paidAt: Date.now() });
    setPrompt('');
    // The answer's stream subscribes as the paid turn renders; the server checks the payment with WeChat Pay.
    confirmOrder(orderId).then(
      (confirmed) => updateTurn(turn.id, { state: confirmed.state }),
      () => undefined, // The payment notification moves the order anyway; the stream shows when.
    );
  };

  const askAgain = useCallback(
    (turn: Turn) => void replaceDraft({ prompt: turn.prompt, tierId: turn.tierId }),
    [replaceDraft],
  );

  const settle = useCallback(
    (id: string, final: NonNullable<Turn['final']>) => updateTurn(id, { final, state: final.state }),
    [updateTurn],
  );

  const payLabel =
    busy === 'ordering'
      ? '正在下单…'
      : busy === 'paying'
        ? '支付中…'
        : !selectedTier
          ? '支付并提问'
          : selectedTier.available === false
            ? '套餐繁忙，暂不能支付'
            : `支付 ${formatPriceFen(selectedTier.priceFen)} 并提问`;
  // Reading (scrolled up, not typing): a short screen folds the composer down to the prompt and the button.
  const reading = !scroll.following && !composerFocused;

  return (
    <View className="chat">
      <ScrollView
        id={CONVERSATION_ID}
        className="chat__conversation"
        scrollY
        {...scroll.scrollProps}
        lowerThreshold={40}
        onScroll={scroll.onScroll}
        onScrollToLower={scroll.onScrollToLower}
      >
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
              onGrow={contentGrew}
            />
          ))
        )}
        {/* Room below the last bubble, so its status line never sits against the composer. */}
        <View className="chat__end" />
      </ScrollView>

      <View className={reading ? 'chat__composer chat__composer--reading' : 'chat__composer'}>
        {scroll.newBelow ? (
          <View className="chat__new-below new-below-pill tt-tap" onClick={jumpToEnd}>
            <Text>有新内容 ↓</Text>
          </View>
        ) : null}
        <View className="chat__tiers">
          <TiersSection state={tiers} selectedId={selectedTier?.id} onSelect={setSelectedId} />
        </View>
        <View className="chat__prompt">
          <PromptBox
            value={prompt}
            maxLength={PROMPT_MAX_CHARS}
            onChange={setPrompt}
            onFocusChange={setComposerFocused}
          />
        </View>
        {notice ? (
          <View className="chat__notice error-notice">
            <Text>{notice}</Text>
          </View>
        ) : null}
        {/* `undefined`, not `false`: Taro H5 renders disabled={false} as disabled="false", styled as disabled. */}
        <Button
          className={canPay ? 'chat__pay chat__pay--ready pay-button tt-tap' : 'chat__pay pay-button tt-tap'}
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

/** "基础 · ¥0.10", or with what became of the money: "基础 · 未扣款 ¥0.10", "基础 · 已退款 ¥0.10". */
function turnMeta(turn: Turn): string {
  const state = turn.final?.state ?? turn.state;
  const note =
    turn.phase === 'cancelled' || turn.phase === 'failed'
      ? '未扣款'
      : turn.phase === 'paid' && state
        ? amountNote(state).note
        : undefined;
  return `${turn.tierTitle} · ${note ? `${note} ` : ''}${formatPriceFen(turn.priceFen)}`;
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
        <Text className="turn__meta">{turnMeta(turn)}</Text>
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
            restarted={turn.final?.restarted}
            orderId={turn.orderId}
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
  const { state, text, usage, restarted } = stream;
  const confirming = useConfirmGrace(turn.paidAt);
  // COMPLETED settles with its usage (the socket's `done`), after the last chunk.
  const settled = isFinalState(state) && (state !== 'COMPLETED' || usage !== undefined);

  useEffect(() => {
    if (settled && state) {
      onSettled(turn.id, {
        state,
        text,
        ...(usage ? { usage } : {}),
        ...(restarted ? { restarted } : {}),
      });
    }
  }, [settled, state, text, usage, restarted, turn.id, onSettled]);

  const problem = stream.error ? errorTextForCode(stream.error.code) : undefined;
  useEffect(() => {
    onGrow();
  }, [text.length, state, problem, restarted, stream.reconnecting, onGrow]);

  return (
    <AnswerBubble
      phase="paid"
      state={state}
      text={text}
      problem={problem}
      payUnknown={turn.payUnknown}
      priceFen={turn.priceFen}
      restarted={restarted}
      reconnecting={stream.reconnecting}
      confirming={confirming}
      orderId={turn.orderId}
      onRetry={() => onAskAgain(turn)}
    />
  );
}

/** True during the first {@link CONFIRM_GRACE_MS} after `paidAt`. */
function useConfirmGrace(paidAt: number | undefined): boolean {
  const remaining = paidAt === undefined ? 0 : paidAt + CONFIRM_GRACE_MS - Date.now();
  const [inGrace, setInGrace] = useState(remaining > 0);
  useEffect(() => {
    if (remaining <= 0) return;
    const timer = setTimeout(() => setInGrace(false), remaining);
    return () => clearTimeout(timer);
    // Armed once per payment: `remaining` shrinks on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paidAt]);
  return inGrace && remaining > 0;
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
  if (state.status === 'error' && state.tiers.length === 0) {
    return (
      <View className="chat__status chat__status--error">
        <Text>{errorText(state.error)}</Text>
        <Text className="chat__retry tt-tap" onClick={state.reload}>
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
