import Taro from '@tarojs/taro';
import type { WatchNetwork } from './network-types';

/** WeChat's network status events (`wx.onNetworkStatusChange`): `isConnected` false when the phone is offline. */
export const watchNetwork: WatchNetwork = (listener) => {
  const callback = (result: { isConnected: boolean }) => listener(result.isConnected);
  Taro.onNetworkStatusChange(callback);
  return () => Taro.offNetworkStatusChange(callback);
};
