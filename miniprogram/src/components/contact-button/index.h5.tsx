import { Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { ContactButtonProps } from './types';
import './index.css';

/**
 * "联系客服" on H5, where WeChat's customer-service chat does not exist: the operator's contact from
 * `TARO_APP_CONTACT_URL` (an https page such as a WeCom customer-service link, or `mailto:` / `tel:`), opened
 * with the order number copied for the conversation. Without one configured, a dialog gives the order number to
 * quote. Hook: `.contact-button`.
 */
export function ContactButton({ orderId, className }: ContactButtonProps) {
  const contact = (process.env.TARO_APP_CONTACT_URL ?? '').trim();
  const open = () => {
    if (orderId) Taro.setClipboardData({ data: orderId }).catch(() => undefined);
    if (contact) {
      if (/^https?:/i.test(contact)) window.open(contact, '_blank', 'noopener');
      else window.location.href = contact;
      return;
    }
    void Taro.showModal({
      title: '联系客服',
      content: orderId
        ? `订单号 ${orderId} 已复制，请联系客服并提供订单号。`
        : '请联系客服，并说明你遇到的问题。',
      showCancel: false,
      confirmText: '知道了',
    });
  };
  return (
    <Text className={['contact-button tt-tap', className].filter(Boolean).join(' ')} onClick={open}>
      联系客服
    </Text>
  );
}
