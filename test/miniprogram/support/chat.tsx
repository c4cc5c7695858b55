import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import ChatPage from '../../../miniprogram/src/pages/chat';
import { mockApi, type ApiHandler } from './api';

/** The tiers most chat tests sell. */
export const TIERS = {
  tiers: [
    { id: 'basic', title: '基础', priceFen: 10, description: '快速回答', available: true },
    { id: 'pro', title: '专业', priceFen: 200, description: '更强的模型', available: true },
  ],
};

export const PAY_PARAMS = {
  timeStamp: '1700000000',
  nonceStr: 'n0nce',
  package: 'prepay_id=wx0001',
  signType: 'RSA',
  paySign: 'c2ln',
};

/** `POST /api/orders` (or `GET …/payment`) answering order `orderId` with its payment parameters. */
export function orderReply(orderId: string, status = 201) {
  return { status, body: { orderId, payment: { channel: 'wxpay', params: PAY_PARAMS } } };
}

export const payButton = () => screen.getByRole<HTMLButtonElement>('button', { name: /支付|下单/ });
export const promptInput = () => screen.getByPlaceholderText<HTMLTextAreaElement>('输入你的问题…');
/** The status under the newest answer. */
export const answerState = () => {
  const states = document.querySelectorAll('.turn .order-state');
  return states[states.length - 1];
};

/** Renders the chat with `routes` mocked (tiers by default) and waits for the tiers; returns the API calls. */
export async function renderChat(routes: Record<string, ApiHandler | ApiHandler[]> = {}) {
  const calls = mockApi({ 'GET /api/tiers': { status: 200, body: TIERS }, ...routes });
  const view = render(<ChatPage />);
  await screen.findAllByText(/基础|专业/);
  return { calls, view };
}

export function typePrompt(text: string): void {
  fireEvent.change(promptInput(), { target: { value: text } });
}

export function ask(text: string): void {
  typePrompt(text);
  fireEvent.click(payButton());
}

/** A requestPayment the test settles: `resolve()` pays, `reject(errMsg)` fails or cancels. */
export function heldPayment() {
  let resolve!: () => void;
  let reject!: (errMsg: string) => void;
  jest.mocked(Taro.requestPayment).mockImplementationOnce(
    () =>
      new Promise((ok, fail) => {
        resolve = () => ok({ errMsg: 'requestPayment:ok' });
        reject = (errMsg) => fail({ errMsg });
      }) as never,
  );
  return {
    resolve: () => act(async () => resolve()),
    reject: (errMsg: string) => act(async () => reject(errMsg)),
  };
}
