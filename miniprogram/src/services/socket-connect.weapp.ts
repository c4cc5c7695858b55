import Taro from '@tarojs/taro';
import type { SocketConnector, SocketTaskLike } from './socket-types';

/**
 * `wx.connectSocket` with the session token in `Authorization: Bearer`, never in the URL, where proxies and
 * access logs would keep it. https://developers.weixin.qq.com/miniprogram/dev/api/network/websocket/wx.connectSocket.html
 */
export const connectSocket: SocketConnector = ({ url, token }) =>
  Taro.connectSocket({ url, header: { Authorization: `Bearer ${token}` } }) as Promise<SocketTaskLike>;
