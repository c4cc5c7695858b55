import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import type { OrderListResponse } from '@tokentill/shared-types';
import { useCallback, useEffect, useRef, useState } from 'react';
import { PaySheet } from '../../components/pay-sheet';
import { StateBadge } from '../../components/state-badge';
import { ApiError } from '../../services/api-error';
import { cancelOrder, confirmOrder, listOrders, orderPayment } from '../../services/orders';
import { pay } from '../../services/payment';
import { forgetUnpaidOrder } from '../../services/unpaid-order';
import { errorText } from '../../utils/error-text';
import { formatPriceFen } from '../../utils/money';
import { amountNote, STATE_TONE } from '../../utils/order-state';
import { formatOrderTime } from '../../utils/time';
import './index.css';

type OrderSummary = OrderListResponse['orders'][number];

interface ListState {
  status: 'loading' | 'ready' | 'error';
  orders: OrderSummary[];
  /** Where the next (older) page starts; undefined once the list is complete. */
  nextCursor: string | undefined;
  error?: unknown;
  /** A next page is being read. */
  loadingMore: boolean;
  /** The last next-page read failed (tap to try again). */
  moreFailed: boolean;
}

const INITIAL: ListState = {
  status: 'loading',
  orders: [],
  nextCursor: undefined,
  loadingMore: false,
  moreFailed: false,
};

/**
 * The user's orders, newest first, page after page as the list scrolls to its end (cursor-based: nothing repeated
 * or skipped while new orders arrive). Each card shows state, tier, time and what became of the money: the price
 * plainly when charged, else with its note (未扣款, 退款中, 已退款, 退款异常) and never as a bold charge. An unpaid
 * order can be paid ("继续支付") or cancelled ("取消订单") from here; tap a card for its answer.
 */
export default function OrdersPage() {
  const [list, setList] = useState<ListState>(INITIAL);
  const [acting, setActing] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const loads = useRef(0);
  // The latest list for callbacks that outlive a render (the reach-bottom handler).
  const listRef = useRef(list);
  listRef.current = list;

  const load = useCallback(async () => {
    const load = ++loads.current;
    setList((previous) => ({ ...previous, status: 'loading', moreFailed: false }));
    try {
      const page = await listOrders();
      if (load === loads.current) {
        setList({
          status: 'ready',
          orders: page.orders,
          nextCursor: page.nextCursor,
          loadingMore: false,
          moreFailed: false,
        });
      }
    } catch (error) {
      if (load === loads.current) setList((previous) => ({ ...previous, status: 'error', error }));
    }
  }, []);

  const loadMore = useCallback(async () => {
    const { nextCursor, loadingMore, status } = listRef.current;
    if (!nextCursor || loadingMore || status !== 'ready') return;
    const load = loads.current;
    setList((previous) => ({ ...previous, loadingMore: true, moreFailed: false }));
    try {
      const page = await listOrders({ cursor: nextCursor });
      if (load !== loads.current) return;
      setList((previous) => ({
        ...previous,
        orders: [...previous.orders, ...page.orders],
        nextCursor: page.nextCursor,
        loadingMore: false,
      }));
    } catch {
      if (load === loads.current)
        setList((previous) => ({ ...previous, loadingMore: false, moreFailed: true }));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // A tab page stays mounted: refresh whenever it is shown again (states move on while away).
  const shownBefore = useRef(false);
  useDidShow(() => {
    if (shownBefore.current) void load();
    shownBefore.current = true;
  });

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  useReachBottom(() => {
    void loadMore();
  });

  const open = (orderId: string) => {
    void Taro.navigateTo({ url: `/pages/order/index?id=${orderId}` });
  };

  const setOrderState = (orderId: string, state: OrderSummary['state']) =>
    setList((previous) => ({
      ...previous,
      orders: previous.orders.map((order) => (order.orderId === orderId ? { ...order, state } : order)),
    }));

  /** Pays an unpaid order from the list: fresh payment parameters, the pay sheet, then its answer page. */
  const payOrder = async (order: OrderSummary) => {
    if (acting) return;
    setActing(order.orderId);
    setNotice(undefined);
    try {
      const { payment } = await orderPayment(order.orderId);
      const result = await pay({
        orderId: order.orderId,
        params: payment.params,
        amountFen: order.priceFen,
        description: order.tierTitle,
      });
      if (result.status === 'cancelled') return;
      const confirmed = await confirmOrder(order.orderId).catch(() => undefined);
      if (result.status === 'failed' && (!confirmed || confirmed.state === 'CREATED')) {
        setNotice(
          confirmed ? '支付未完成，未扣款' : '无法确认支付结果；如已扣款，回答会照常生成，失败会自动退款',
        );
        return;
      }
      forgetUnpaidOrder(order.orderId);
      if (confirmed) setOrderState(order.orderId, confirmed.state);
      open(order.orderId);
    } catch (error) {
      setNotice(errorText(error));
      // Paid, closed or expired meanwhile: show it as it is now.
      if (error instanceof ApiError && error.code === 'ORDER_NOT_PAYABLE') void load();
    } finally {
      setActing(undefined);
    }
  };

  /** Closes an unpaid order (nothing was charged) after the user confirms. */
  const cancel = async (order: OrderSummary) => {
    if (acting) return;
    const answer = await Taro.showModal({
      title: '取消这个订单？',
      content: '订单未支付，不会扣款。取消后不能再支付，可以重新提问。',
      confirmText: '取消订单',
      cancelText: '不取消',
    }).catch(() => ({ confirm: false }));
    if (!answer.confirm) return;
    setActing(order.orderId);
    setNotice(undefined);
    try {
      await cancelOrder(order.orderId);
      forgetUnpaidOrder(order.orderId);
      setOrderState(order.orderId, 'CLOSED');
    } catch (error) {
      setNotice(errorText(error));
      if (error instanceof ApiError && error.code === 'ORDER_NOT_CANCELLABLE') void load();
    } finally {
      setActing(undefined);
    }
  };

  return (
    <View className="orders">
      {notice ? (
        <View className="orders__notice error-notice">
          <Text>{notice}</Text>
        </View>
      ) : null}
      {list.status === 'error' ? (
        <View className="orders__status orders__status--error">
          <Text>{errorText(list.error)}</Text>
          <Text className="orders__retry tt-tap" onClick={() => void load()}>
            重试
          </Text>
        </View>
      ) : null}
      {list.status === 'loading' && list.orders.length === 0 ? (
        <Text className="orders__status">正在加载…</Text>
      ) : null}
      {list.status === 'ready' && list.orders.length === 0 ? (
        <View className="orders__empty">
          <Text className="orders__empty-title">还没有订单</Text>
          <Text className="orders__empty-hint">在「问答」里提出第一个问题吧</Text>
        </View>
      ) : null}
      {list.orders.map((order) => (
        <OrderCard
          key={order.orderId}
          order={order}
          busy={acting === order.orderId}
          onOpen={() => open(order.orderId)}
          onPay={() => void payOrder(order)}
          onCancel={() => void cancel(order)}
        />
      ))}
      {list.orders.length > 0 ? <ListEnd state={list} onMore={() => void loadMore()} /> : null}
      <PaySheet />
    </View>
  );
}

interface OrderCardProps {
  order: OrderSummary;
  /** Paying or cancelling this order now. */
  busy: boolean;
  onOpen: () => void;
  onPay: () => void;
  onCancel: () => void;
}

function OrderCard({ order, busy, onOpen, onPay, onCancel }: OrderCardProps) {
  const amount = amountNote(order.state);
  const unpaid = order.state === 'CREATED';
  // Taps on the card's buttons are theirs alone, not also the card's.
  const only = (action: () => void) => (event: { stopPropagation?: () => void }) => {
    event.stopPropagation?.();
    action();
  };
  return (
    <View className="order-card" onClick={onOpen}>
      <View className="order-card__head">
        <Text className="order-card__tier">{order.tierTitle}</Text>
        <StateBadge state={order.state} />
      </View>
      <Text className="order-card__prompt">{order.prompt}</Text>
      <View className="order-card__foot">
        <Text className="order-card__time">{formatOrderTime(order.createdAt)}</Text>
        {amount.note ? (
          <View className="order-card__amount">
            <Text className={`order-card__note tt-tone--${STATE_TONE[order.state]}`}>{amount.note}</Text>
            <Text className={`order-card__price order-card__price--${amount.kind}`}>
              {formatPriceFen(order.priceFen)}
            </Text>
          </View>
        ) : (
          <Text className="order-card__price">{formatPriceFen(order.priceFen)}</Text>
        )}
      </View>
      {unpaid ? (
        <View className="order-card__actions">
          <Text
            className="order-card__action order-card__cancel order-cancel tt-tap"
            onClick={only(onCancel)}
          >
            取消订单
          </Text>
          <Text className="order-card__action order-card__pay order-pay tt-tap" onClick={only(onPay)}>
            {busy ? '处理中…' : '继续支付'}
          </Text>
        </View>
      ) : null}
    </View>
  );
}

/** The end of the list: loading the next page, a tap to load it (or try again), or "没有更多了". */
function ListEnd({ state, onMore }: { state: ListState; onMore: () => void }) {
  if (state.loadingMore) return <Text className="orders__end orders-end">正在加载更多…</Text>;
  if (state.moreFailed) {
    return (
      <Text className="orders__end orders__more orders-more tt-tap" onClick={onMore}>
        加载失败，点击重试
      </Text>
    );
  }
  if (state.nextCursor) {
    return (
      <Text className="orders__end orders__more orders-more tt-tap" onClick={onMore}>
        加载更多
      </Text>
    );
  }
  return <Text className="orders__end orders-end">没有更多了</Text>;
}
