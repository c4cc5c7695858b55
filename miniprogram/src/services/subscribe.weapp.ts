import Taro from '@tarojs/taro';
import type { RequestGrantFn } from './subscribe-types';

/**
 * `wx.requestSubscribeMessage`. WeChat only shows its dialog in direct response to a tap, so call this first
 * thing in the tap handler, before any network call.
 */
export const requestGrant: RequestGrantFn = async (templateId) => {
  try {
    // Taro's typing lists device-message fields (sn, snTicket, modelId) that template subscriptions do not take.
    const result = (await Taro.requestSubscribeMessage({ tmplIds: [templateId] } as Parameters<
      typeof Taro.requestSubscribeMessage
    >[0])) as unknown as Record<string, unknown>;
    return result[templateId] === 'accept';
  } catch {
    return false;
  }
};
