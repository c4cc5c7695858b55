import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import type { OrderListResponse } from '@tokentill/shared-types';
import { useCallback, useEffect, useRef, useState } from 'react';
import { StateBadge } from '../../components/state-badge';
import { listOrders } from '../../services/orders';
import { errorText } from '../../utils/error-text';
import { formatPriceFen } from '../../utils/money';
import { isUncharged } from '../../utils/order-state';
import { formatOrderTime } from '../../utils/time';
import './index.css';

type OrderSummary = OrderListResponse['orders'][number];

type ListState =
  | { status: 'loading'; orders: OrderSummary[] }
  | { status: 'ready'; orders: OrderSummary[] }
  | { status: 'error'; orders: OrderSummary[]; error: unknown };

/**
 * The user's recent orders (newest first) with state, tier and price; tap one for its answer. An order never paid
 * ("未支付") or closed unpaid ("已关闭") says "未扣款" by its price, which is not money owed: nothing to act on.
 */
export default function OrdersPage() {
  const [list, setList] = useState<ListState>({ status: 'loading', orders: [] });
  const loads = useRef(0);

  const load = useCallback(async () => {
    const load = ++loads.current;
    setList((previous) => ({ status: 'loading', orders: previous.orders }));
    try {
      const orders = await listOrders();
      if (load === loads.current) setList({ status: 'ready', orders });
    } catch (error) {
      if (load === loads.current)
        setList((previous) => ({ status: 'error', orders: previous.orders, error }));
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

  const open = (orderId: string) => {
    void Taro.navigateTo({ url: `/pages/order/index?id=${orderId}` });
  };

  return (
    <View className="orders">
      {list.status === 'error' ? (
        <View className="orders__status orders__status--error">
          <Text>{errorText(list.error)}</Text>
          <Text className="orders__retry" onClick={() => void load()}>
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
        <View key={order.orderId} className="order-card" onClick={() => open(order.orderId)}>
          <View className="order-card__head">
            <Text className="order-card__tier">{order.tierTitle}</Text>
            <StateBadge state={order.state} />
          </View>
          <Text className="order-card__prompt">{order.prompt}</Text>
          <View className="order-card__foot">
            <Text className="order-card__time">{formatOrderTime(order.createdAt)}</Text>
            {isUncharged(order.state) ? (
              <View className="order-card__amount">
                <Text className="order-card__note">未扣款</Text>
                <Text className="order-card__price order-card__price--uncharged">
                  {formatPriceFen(order.priceFen)}
                </Text>
              </View>
            ) : (
              <Text className="order-card__price">{formatPriceFen(order.priceFen)}</Text>
            )}
          </View>
        </View>
      ))}
    </View>
  );
}
