/**
 * Writes the emulated merchant's trade bill for one Beijing date, in WeChat Pay's layout (see
 * payment/trade-bill.ts): a payment row for each order paid that day, a refund row for each refund asked for that
 * day, then the summary. Bill faults change what it says.
 */
import { TRADE_BILL_COLUMNS, TRADE_BILL_SUMMARY_COLUMNS, fenToYuan } from '../../payment/index.js';
import type { TradeBillType } from '../../payment/index.js';
import type { BillFault } from './bill-faults.js';
import type { SandboxOrder, SandboxRefund } from './wxpay-ledger.js';

type Column = (typeof TRADE_BILL_COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

/** The emulator's payer id in bills: WeChat prints the openid, which the emulator's orders keep. */
const payerOf = (order: SandboxOrder) => order.payerOpenid;
/** `2024-06-01T09:05:03+08:00` → `2024-06-01 09:05:03` (the emulator's times are already Beijing time). */
const billTime = (rfc3339: string) => rfc3339.slice(0, 19).replace('T', ' ');
const dateOf = (rfc3339: string | undefined) => rfc3339?.slice(0, 10);
/** WeChat's fee at 0.6 %, rounded to the fen. */
const feeOf = (fen: number) => fenToYuan(Math.round(fen * 0.006));

function paymentRow(order: SandboxOrder, amountFen: number): Row {
  return {
    交易时间: billTime(order.successTime ?? ''),
    公众账号ID: order.appid,
    商户号: order.mchid,
    特约商户号: '0',
    微信订单号: order.transactionId ?? '',
    商户订单号: order.outTradeNo,
    用户标识: payerOf(order),
    交易类型: 'JSAPI',
    交易状态: 'SUCCESS',
    付款银行: 'OTHERS',
    货币种类: order.currency,
    应结订单金额: fenToYuan(amountFen),
    代金券金额: '0.00',
    微信退款单号: '0',
    商户退款单号: '0',
    退款金额: '0.00',
    充值券退款金额: '0.00',
    商品名称: order.description,
    商户数据包: order.attach ?? '',
    手续费: feeOf(amountFen),
    费率: '0.60%',
    订单金额: fenToYuan(amountFen),
    申请退款金额: '0.00',
  };
}

interface RefundLine {
  refundId: string;
  outRefundNo: string;
  createTime: string;
  refundFen: number;
  status: string;
}

function refundRow(order: SandboxOrder, refund: RefundLine): Row {
  return {
    交易时间: billTime(refund.createTime),
    公众账号ID: order.appid,
    商户号: order.mchid,
    特约商户号: '0',
    微信订单号: order.transactionId ?? '',
    商户订单号: order.outTradeNo,
    用户标识: payerOf(order),
    交易类型: 'JSAPI',
    交易状态: 'REFUND',
    付款银行: 'OTHERS',
    货币种类: order.currency,
    应结订单金额: '0.00',
    代金券金额: '0.00',
    微信退款单号: refund.refundId,
    商户退款单号: refund.outRefundNo,
    退款金额: fenToYuan(refund.refundFen),
    充值券退款金额: '0.00',
    退款类型: 'ORIGINAL',
    退款状态: refund.status,
    商品名称: order.description,
    商户数据包: order.attach ?? '',
    手续费: '0.00',
    费率: '0.60%',
    订单金额: '0.00',
    申请退款金额: fenToYuan(refund.refundFen),
  };
}

const line = (row: Row) => TRADE_BILL_COLUMNS.map((c) => `\`${row[c] ?? ''}`).join(',');

/** Inputs of {@link buildTradeBill}. */
export interface TradeBillSource {
  billDate: string;
  billType: TradeBillType;
  orders: SandboxOrder[];
  refunds: SandboxRefund[];
  faults: BillFault[];
  /** Finds an order by out_trade_no (for refund rows). */
  findOrder(outTradeNo: string): SandboxOrder | undefined;
}

/** The bill's text (UTF-8, `\r\n` line ends, as WeChat sends it). */
export function buildTradeBill(source: TradeBillSource): string {
  const { billDate, billType, faults } = source;
  const faultOf = <K extends BillFault['kind']>(kind: K, no: string) =>
    faults.find(
      (f): f is Extract<BillFault, { kind: K }> =>
        f.kind === kind && 'outTradeNo' in f && f.outTradeNo === no,
    );
  const rows: Row[] = [];
  let settled = 0;
  let refunded = 0;
  let fees = 0;

  if (billType !== 'REFUND') {
    for (const order of source.orders) {
      if (order.transactionId === undefined || dateOf(order.successTime) !== billDate) continue;
      if (faultOf('omit_payment', order.outTradeNo)) continue;
      const amount = order.total + (faultOf('payment_amount', order.outTradeNo)?.deltaFen ?? 0);
      rows.push(paymentRow(order, amount));
      settled += amount;
      fees += Math.round(amount * 0.006);
    }
  }
  if (billType !== 'SUCCESS') {
    const lines: { order: SandboxOrder; refund: RefundLine }[] = [];
    for (const refund of source.refunds) {
      const order = source.findOrder(refund.outTradeNo);
      if (!order || dateOf(refund.createTime) !== billDate) continue;
      if (faultOf('omit_refund', order.outTradeNo)) continue;
      const delta = faultOf('refund_amount', order.outTradeNo)?.deltaFen ?? 0;
      lines.push({ order, refund: { ...refund, refundFen: refund.refund + delta } });
    }
    for (const fault of faults) {
      if (fault.kind !== 'extra_refund') continue;
      const order = source.findOrder(fault.outTradeNo);
      if (!order?.successTime) continue;
      lines.push({
        order,
        refund: {
          refundId: `5030000${Date.parse(order.successTime)}`,
          outRefundNo: `${order.outTradeNo}-X1`,
          createTime: `${billDate}T12:00:00+08:00`,
          refundFen: fault.amountFen ?? order.total,
          status: 'SUCCESS',
        },
      });
    }
    for (const { order, refund } of lines) {
      rows.push(refundRow(order, refund));
      refunded += refund.refundFen;
    }
  }
  const summary = [
    String(rows.length),
    fenToYuan(settled),
    fenToYuan(refunded),
    '0.00',
    fenToYuan(fees),
    fenToYuan(settled),
    fenToYuan(refunded),
  ];
  return [
    TRADE_BILL_COLUMNS.join(','),
    ...rows.map(line),
    TRADE_BILL_SUMMARY_COLUMNS.join(','),
    summary.map((v) => `\`${v}`).join(','),
    '',
  ].join('\r\n');
}
