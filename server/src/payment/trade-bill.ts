/**
 * WeChat Pay's trade bill (交易账单), the file behind `GET /v3/bill/tradebill`: one header line of Chinese column
 * names, one line per transaction or refund whose every field starts with a backtick (so spreadsheet programs keep
 * long numbers as text), then a summary header and one summary line. Amounts are yuan with 2 decimals, converted
 * here to integer fen exactly (string arithmetic, never floats); times are Beijing time without an offset.
 *
 * Columns are read by name, so an extra column WeChat adds does not shift the others. The payer's openid
 * (用户标识) is deliberately not kept: reconciliation does not need it and it must not reach logs.
 */
import { WxPayError } from './wxpay-errors.js';

/** A bill that does not have WeChat's layout, or whose summary disagrees with its rows. */
export class TradeBillFormatError extends WxPayError {
  override readonly name = 'TradeBillFormatError';
}

/** One line of the bill: a payment (交易状态 SUCCESS) or a refund (交易状态 REFUND). Amounts in fen. */
export interface TradeBillRow {
  /** 交易时间, epoch ms. */
  tradeTime: number;
  appid: string;
  mchid: string;
  transactionId: string;
  outTradeNo: string;
  /** 交易类型, e.g. `JSAPI`. */
  tradeType: string;
  /** 交易状态: `SUCCESS` for a payment row, `REFUND` for a refund row (others are possible: `REVOKED`). */
  tradeState: string;
  currency: string;
  /** 应结订单金额. */
  settlementTotalFen: number;
  /** 代金券金额. */
  couponFen: number;
  /** 微信退款单号 / 商户退款单号: empty on payment rows (where WeChat prints `0`). */
  refundId: string;
  outRefundNo: string;
  /** 退款金额 (0 on payment rows). */
  refundFen: number;
  /** 退款类型 / 退款状态, e.g. `ORIGINAL` / `SUCCESS`; empty on payment rows. */
  refundType: string;
  refundStatus: string;
  description: string;
  attach: string;
  /** 手续费 and 费率 as printed (the fee can carry more decimals than fen; not used for matching). */
  fee: string;
  rate: string;
  /** 订单金额. */
  totalFen: number;
  /** 申请退款金额. */
  requestedRefundFen: number;
}

/** The summary line. */
export interface TradeBillSummary {
  /** 总交易单数. */
  count: number;
  /** 应结订单总金额. */
  settlementTotalFen: number;
  /** 退款总金额. */
  refundTotalFen: number;
}

export interface TradeBill {
  rows: TradeBillRow[];
  summary: TradeBillSummary;
}

/** The columns TokenTill reads from a row (WeChat's names). */
const COLUMN = {
  tradeTime: '交易时间',
  appid: '公众账号ID',
  mchid: '商户号',
  transactionId: '微信订单号',
  outTradeNo: '商户订单号',
  tradeType: '交易类型',
  tradeState: '交易状态',
  currency: '货币种类',
  settlementTotal: '应结订单金额',
  coupon: '代金券金额',
  refundId: '微信退款单号',
  outRefundNo: '商户退款单号',
  refund: '退款金额',
  refundType: '退款类型',
  refundStatus: '退款状态',
  description: '商品名称',
  attach: '商户数据包',
  fee: '手续费',
  rate: '费率',
  total: '订单金额',
  requestedRefund: '申请退款金额',
} as const;

const SUMMARY = {
  count: '总交易单数',
  settlementTotal: '应结订单总金额',
  refundTotal: '退款总金额',
} as const;

const YUAN = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/**
 * Converts a yuan amount as printed in a bill (`12.34`, `0.5`, `3`) to integer fen, exactly.
 *
 * @throws TradeBillFormatError for anything else (a sign, more than 2 decimals, a thousands separator).
 */
export function yuanToFen(text: string): number {
  const match = YUAN.exec(text);
  if (!match) throw new TradeBillFormatError(`not an amount in yuan with at most 2 decimals: "${text}"`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Formats integer fen as the bill prints yuan: `1234` → `12.34`. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a fen amount: ${fen}`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

const BEIJING_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * Reads a bill timestamp, Beijing time without an offset (`2024-06-01 09:05:00`), as epoch ms.
 *
 * @throws TradeBillFormatError for another layout or an impossible date.
 */
export function parseBeijingTime(text: string): number {
  const m = BEIJING_TIME.exec(text);
  if (!m) throw new TradeBillFormatError(`not a time like 2024-06-01 09:05:00: "${text}"`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new TradeBillFormatError(`not a real time: "${text}"`);
  }
  return utc - BEIJING_OFFSET_MS;
}

/** Formats epoch ms as a bill timestamp in Beijing time. */
export function formatBeijingTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The Beijing calendar date (`YYYY-MM-DD`) of an instant: the day whose bill lists it. */
export function beijingDateOf(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** WeChat prints `0` for "no refund" in the refund id columns of a payment row. */
const noneIfZero = (value: string) => (value === '0' ? '' : value);

/** Splits a data line: every field is `` `value ``, joined by commas (a comma inside a value is kept). */
function dataFields(line: string, lineNo: number): string[] {
  if (!line.startsWith('`'))
    throw new TradeBillFormatError(`line ${lineNo}: fields must start with a backtick`);
  return line.slice(1).split(',`');
}

/**
 * Parses the text of a trade bill (`bill_type` ALL, SUCCESS or REFUND: the same layout).
 *
 * @throws TradeBillFormatError when a line, column, amount or time does not have WeChat's format, or the summary's
 *   count and totals differ from the rows.
 */
export function parseTradeBill(text: string): TradeBill {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  if (lines.length < 3)
    throw new TradeBillFormatError('a bill has a header, rows, a summary header and a summary');
  const header = lines[0]!.split(',');
  const summaryHeader = lines[lines.length - 2]!.split(',');
  const summaryLine = dataFields(lines[lines.length - 1]!, lines.length);

  const indexOf = (names: string[], name: string, what: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new TradeBillFormatError(`the ${what} has no column ${name}`);
    return i;
  };
  const col = Object.fromEntries(
    Object.entries(COLUMN).map(([key, name]) => [key, indexOf(header, name, 'header')]),
  ) as Record<keyof typeof COLUMN, number>;

  const rows = lines.slice(1, -2).map((line, i): TradeBillRow => {
    const fields = dataFields(line, i + 2);
    if (fields.length !== header.length) {
      throw new TradeBillFormatError(`line ${i + 2}: ${fields.length} fields for ${header.length} columns`);
    }
    const at = (key: keyof typeof COLUMN) => fields[col[key]]!;
    const fen = (key: keyof typeof COLUMN) => {
      try {
        return yuanToFen(at(key));
      } catch (err) {
        throw new TradeBillFormatError(`line ${i + 2}, ${COLUMN[key]}: ${(err as Error).message}`);
      }
    };
    return {
      tradeTime: parseBeijingTime(at('tradeTime')),
      appid: at('appid'),
      mchid: at('mchid'),
      transactionId: at('transactionId'),
      outTradeNo: at('outTradeNo'),
      tradeType: at('tradeType'),
      tradeState: at('tradeState'),
      currency: at('currency'),
      settlementTotalFen: fen('settlementTotal'),
      couponFen: fen('coupon'),
      refundId: noneIfZero(at('refundId')),
      outRefundNo: noneIfZero(at('outRefundNo')),
      refundFen: fen('refund'),
      refundType: at('refundType'),
      refundStatus: at('refundStatus'),
      description: at('description'),
      attach: at('attach'),
      fee: at('fee'),
      rate: at('rate'),
      totalFen: fen('total'),
      requestedRefundFen: fen('requestedRefund'),
    };
  });

  const summaryAt = (name: string) => summaryLine[indexOf(summaryHeader, name, 'summary header')] ?? '';
  const count = summaryAt(SUMMARY.count);
  if (!/^\d+$/.test(count)) throw new TradeBillFormatError(`${SUMMARY.count} is not a count: "${count}"`);
  const summary: TradeBillSummary = {
    count: Number(count),
    settlementTotalFen: yuanToFen(summaryAt(SUMMARY.settlementTotal)),
    refundTotalFen: yuanToFen(summaryAt(SUMMARY.refundTotal)),
  };
  // The summary is WeChat's own checksum of the rows: a bill cut short or edited does not add up.
  const settlement = rows.reduce((sum, r) => sum + r.settlementTotalFen, 0);
  const refunded = rows.reduce((sum, r) => sum + r.refundFen, 0);
  if (
    summary.count !== rows.length ||
    summary.settlementTotalFen !== settlement ||
    summary.refundTotalFen !== refunded
  ) {
    throw new TradeBillFormatError(
      `the summary (${summary.count} rows, ${summary.settlementTotalFen} fen settled, ${summary.refundTotalFen} fen ` +
        `refunded) does not match the rows (${rows.length}, ${settlement}, ${refunded})`,
    );
  }
  return { rows, summary };
}

/** The trade bill's columns in WeChat's order (what the sandbox writes). */
export const TRADE_BILL_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;

/** The summary's columns in WeChat's order. */
export const TRADE_BILL_SUMMARY_COLUMNS = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
] as const;
