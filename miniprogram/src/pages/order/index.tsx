import { Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import type { OrderView } from '@tokentill/shared-types';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { AnswerBubble } from '../../components/answer';
import { BackBar } from '../../components/back-bar';
import { StateBadge } from '../../components/state-badge';
import { useOrderStream } from '../../hooks/use-order-stream';
import { saveDraft } from '../../services/conversation';
import { fetchOrder } from '../../services/orders';
import { errorText, errorTextForCode } from '../../utils/error-text';
import { formatPriceFen } from '../../utils/money';
import { amountNote } from '../../utils/order-state';
import { formatOrderTime } from '../../utils/time';
import './index.css';

/** Order ids are URL-safe (shared-types' OrderIdSchema); anything else in the link is not an order. */
const ORDER_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The page's title (also its navigationBarTitleText, which WeChat shows on weapp). */
const TITLE = '订单详情';

/**
 * One order: its question and answer, streaming if it is still being answered (`?id=<orderId>`), its state (the
 * badge in the header card) and its number for customer service (tap "复制" to copy it). On H5 a title bar with
 * "‹ 返回订单" leads back to the list (the tab bar is hidden on this page).
 */
export default function OrderPage() {
  const { params } = useRouter();
  const orderId = typeof params.id === 'string' && ORDER_ID.test(params.id) ? params.id : undefined;
  const [view, setView] = useState<OrderView | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(orderId ? undefined : 'NO_ORDER');

  const load = useCallback(() => {
    if (!orderId) return;
    setLoadError(undefined);
    fetchOrder(orderId).then(setView, setLoadError);
  }, [orderId]);

  useEffect(load, [load]);

  // Seeded with the GET's chunks, then followed from the last one (socket, or polling) until final.
  const stream = useOrderStream(view ? orderId : undefined, { seed: view });
  const state = stream.state ?? view?.state;

  if (!view) {
    return (
      <OrderPageFrame>
        {loadError === undefined ? (
          <Text className="order-page__status">正在加载…</Text>
        ) : (
          <View className="order-page__status order-page__status--error">
            <Text>{loadError === 'NO_ORDER' ? '订单不存在' : errorText(loadError)}</Text>
            {orderId ? (
              <Text className="order-page__retry tt-tap" onClick={load}>
                重试
              </Text>
            ) : null}
          </View>
        )}
      </OrderPageFrame>
    );
  }

  const amount = state ? amountNote(state) : undefined;

  const askAgain = () => {
    saveDraft({ prompt: view.prompt, tierId: view.tier });
    void Taro.switchTab({ url: '/pages/chat/index' });
  };

  const copyOrderId = () => {
    // WeChat (and Taro's H5 version) confirm with a "内容已复制" toast.
    Taro.setClipboardData({ data: view.orderId }).catch(() => undefined);
  };

  return (
    <OrderPageFrame>
      <View className="order-page__card">
        <View className="order-page__head">
          <Text className="order-page__tier">
            {`${view.tierTitle} · `}
            {amount?.note ? <Text className="order-page__amount-note">{`${amount.note} `}</Text> : null}
            <Text
              className={
                amount?.note ? 'order-page__price order-page__price--not-charged' : 'order-page__price'
              }
            >
              {formatPriceFen(view.priceFen)}
            </Text>
          </Text>
          {state ? <StateBadge state={state} /> : null}
        </View>
        <Text className="order-page__time">{formatOrderTime(view.createdAt)}</Text>
        <View className="order-page__number">
          <Text className="order-page__number-label">订单号</Text>
          <Text className="order-page__number-value order-number" userSelect>
            {view.orderId}
          </Text>
          <Text className="order-page__copy tt-tap" onClick={copyOrderId}>
            复制
          </Text>
        </View>
      </View>

      <Text className="order-page__label">问题</Text>
      <View className="order-page__card">
        <Text className="order-page__prompt" userSelect>
          {view.prompt}
        </Text>
      </View>

      <Text className="order-page__label">回答</Text>
      <AnswerBubble
        phase="paid"
        state={state}
        text={stream.text}
        problem={stream.error ? errorTextForCode(stream.error.code) : undefined}
        restarted={stream.restarted}
        reconnecting={stream.reconnecting}
        orderId={view.orderId}
        // An order seen from the list was never paid in this session: CREATED reads "not paid".
        payUnknown
        priceFen={view.priceFen}
        // The header card's badge shows the state; the bubble keeps only "重新提问".
        showState={false}
        onRetry={askAgain}
      />
    </OrderPageFrame>
  );
}

/** The page box with the H5 title bar (nothing on weapp) above the padded content. */
function OrderPageFrame({ children }: { children: ReactNode }) {
  return (
    <View className="order-page">
      <BackBar title={TITLE} backText="返回订单" fallbackTab="/pages/orders/index" />
      <View className="order-page__body">{children}</View>
    </View>
  );
}
