import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { BackBarProps } from './types';
import './index.css';

/**
 * The H5 build's title bar for a page off the tab bar (the order page): Taro's H5 runtime hides its own title
 * bar and the tab bar there, so without this the browser user has no way back. "‹ 返回订单" goes back when there
 * is a page to go back to, else (a reload, or a link straight to the page) switches to `fallbackTab`.
 * The weapp build gets index.weapp.tsx (nothing): WeChat draws its own navigation bar, back or home button.
 *
 * Hooks: `.back-bar`, `.back-bar__back`, `.back-bar__title`.
 */
export function BackBar({ title, backText, fallbackTab }: BackBarProps) {
  return (
    <View className="back-bar">
      <Text className="back-bar__back tt-tap" onClick={() => void goBack(fallbackTab)}>
        {`‹ ${backText}`}
      </Text>
      <Text className="back-bar__title">{title}</Text>
      <View className="back-bar__spacer" />
    </View>
  );
}

/** Back one page if there is one in this app, else to the tab page `fallbackTab`. */
export async function goBack(fallbackTab: string): Promise<void> {
  if (Taro.getCurrentPages().length > 1) {
    try {
      await Taro.navigateBack({ delta: 1 });
      return;
    } catch {
      // Fall through to the tab page.
    }
  }
  try {
    await Taro.switchTab({ url: fallbackTab });
  } catch {
    await Taro.reLaunch({ url: fallbackTab }).catch(() => undefined);
  }
}
