import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useSyncExternalStore } from 'react';
import { answerPaySheet, currentPaySheet, onPaySheetChange } from '../../services/pay-sheet';
import { formatPriceFen } from '../../utils/money';
import './index.css';

/**
 * The H5 build's stand-in for WeChat's pay sheet (payment.h5.ts asks through services/pay-sheet): amount, what
 * is bought, "确认支付" and "取消". Renders nothing until a payment asks. Hooks: `.pay-sheet`,
 * `.pay-sheet-confirm`, `.pay-sheet-cancel`.
 */
export function PaySheet() {
  const request = useSyncExternalStore(onPaySheetChange, currentPaySheet, currentPaySheet);
  const open = request !== undefined;

  // Like WeChat's own sheet, cover the whole screen: the H5 tab bar sits outside the page and would cover the
  // sheet's bottom. Failures (a page without a tab bar) do not matter.
  useEffect(() => {
    if (!open) return;
    Taro.hideTabBar({ animation: false }).catch(() => undefined);
    return () => {
      Taro.showTabBar({ animation: false }).catch(() => undefined);
    };
  }, [open]);

  if (!request) return null;
  return (
    <View className="pay-sheet">
      <View className="pay-sheet__mask" onClick={() => answerPaySheet(false)} />
      <View className="pay-sheet__panel">
        <View className="pay-sheet__head">
          <Text className="pay-sheet__close pay-sheet-cancel tt-tap" onClick={() => answerPaySheet(false)}>
            取消
          </Text>
          <Text className="pay-sheet__title">微信支付</Text>
          <Text className="pay-sheet__spacer" />
        </View>
        <Text className="pay-sheet__merchant">TokenTill · {request.description}</Text>
        <Text className="pay-sheet__amount">{formatPriceFen(request.amountFen)}</Text>
        <View className="pay-sheet__row">
          <Text className="pay-sheet__key">付款方式</Text>
          <Text className="pay-sheet__value">零钱（沙箱）</Text>
        </View>
        <Button
          className="pay-sheet__confirm pay-sheet-confirm tt-tap"
          type="primary"
          onClick={() => answerPaySheet(true)}
        >
          确认支付
        </Button>
        <Text className="pay-sheet__note">沙箱环境，不会真实扣款</Text>
      </View>
    </View>
  );
}
