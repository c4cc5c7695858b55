import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { PaySheet } from '../../../miniprogram/src/components/pay-sheet';
import { pay as payH5 } from '../../../miniprogram/src/services/payment.h5';
import type { PaymentRequest } from '../../../miniprogram/src/services/payment-types';
import { pay as payWeapp } from '../../../miniprogram/src/services/payment.weapp';
import { envelope, mockApi } from '../support/api';

const request: PaymentRequest = {
  orderId: 'order-pay-0001',
  params: {
    timeStamp: '1700000000',
    nonceStr: 'nonce',
    package: 'prepay_id=wx123',
    signType: 'RSA',
    paySign: 'c2lnbmF0dXJl',
  },
  amountFen: 10,
  description: '基础',
};

const requestPayment = jest.mocked(Taro.requestPayment);

describe('weapp payment adapter', () => {
  beforeEach(() => requestPayment.mockReset());

  it("calls Taro.requestPayment with exactly the server's parameters and reports paid", async () => {
    requestPayment.mockResolvedValue({ errMsg: 'requestPayment:ok' });

    await expect(payWeapp(request)).resolves.toEqual({ status: 'paid' });
    expect(requestPayment).toHaveBeenCalledWith(request.params);
  });

  it('maps "requestPayment:fail cancel" to cancelled (nothing charged)', async () => {
    requestPayment.mockRejectedValue({ errMsg: 'requestPayment:fail cancel' });

    await expect(payWeapp(request)).resolves.toEqual({ status: 'cancelled' });
  });

  it('reports any other failure as failed, with a message for the user', async () => {
    requestPayment.mockRejectedValue({ errMsg: 'requestPayment:fail (detail message)' });

    await expect(payWeapp(request)).resolves.toEqual({ status: 'failed', message: '支付未完成，请重试' });
  });
});

describe('H5 payment adapter', () => {
  beforeEach(() => requestPayment.mockReset());

  it('shows the pay sheet, then on "确认支付" asks the sandbox to pay the order (never the H5 stub)', async () => {
    const calls = mockApi({ 'POST /sandbox/pay': { status: 200, body: { transaction: {} } } });
    render(<PaySheet />);
    expect(document.querySelector('.pay-sheet')).toBeNull();

    let result: Promise<unknown> = Promise.resolve();
    act(() => {
      result = payH5(request);
    });
    expect(screen.getByText('¥0.10')).toBeTruthy();
    expect(screen.getByText('TokenTill · 基础')).toBeTruthy();
    expect(calls).toHaveLength(0); // nothing is paid before the user confirms
    expect(Taro.hideTabBar).toHaveBeenCalled(); // the sheet covers the whole screen, as WeChat's does

    fireEvent.click(screen.getByRole('button', { name: '确认支付' }));

    await expect(result).resolves.toEqual({ status: 'paid' });
    expect(calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/sandbox/pay',
        data: { out_trade_no: request.orderId },
      }),
    ]);
    expect(calls[0]?.header['authorization']).toBeUndefined();
    expect(requestPayment).not.toHaveBeenCalled();
    expect(document.querySelector('.pay-sheet')).toBeNull();
    expect(Taro.showTabBar).toHaveBeenCalled();
  });

  it('reports cancelled and pays nothing when the user taps "取消"', async () => {
    const calls = mockApi({});
    render(<PaySheet />);
    let result: Promise<unknown> = Promise.resolve();
    act(() => {
      result = payH5(request);
    });

    fireEvent.click(screen.getByText('取消'));

    await expect(result).resolves.toEqual({ status: 'cancelled' });
    expect(calls).toHaveLength(0);
  });

  it('reports failed when the sandbox refuses the payment', async () => {
    mockApi({ 'POST /sandbox/pay': { status: 404, body: envelope('NOT_FOUND', 'no such order') } });
    render(<PaySheet />);
    let result: Promise<unknown> = Promise.resolve();
    act(() => {
      result = payH5(request);
    });
    fireEvent.click(document.querySelector('.pay-sheet-confirm')!);

    await expect(result).resolves.toMatchObject({ status: 'failed' });
  });
});
