import { Button } from '@tarojs/components';
import type { ContactButtonProps } from './types';
import './index.css';

/**
 * "联系客服" on weapp: WeChat's own customer-service chat (`open-type="contact"`), opened with a card naming the
 * order, so the agent sees which order the user means. Hook: `.contact-button`.
 */
export function ContactButton({ orderId, className }: ContactButtonProps) {
  return (
    <Button
      className={['contact-button tt-tap', className].filter(Boolean).join(' ')}
      openType="contact"
      showMessageCard={orderId !== undefined}
      sendMessageTitle={orderId ? `订单 ${orderId}` : undefined}
      sendMessagePath={orderId ? `pages/order/index?id=${orderId}` : undefined}
    >
      联系客服
    </Button>
  );
}
