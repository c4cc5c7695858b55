import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash, generateKeyPairSync } from 'node:crypto';

import {
  TradeBillFormatError,
  WxPayBillHashError,
  WxPayRequestValidationError,
  createWxPayClient,
  beijingDateOf,
  fenToYuan,
  formatBeijingTime,
  openBillFile,
  parseBeijingTime,
  parseTradeBill,
  tradeBillPath,
  yuanToFen,
} from '../../../server/src/payment/index';

/** A trade bill (bill_type=ALL) laid out exactly as WeChat Pay sends it: two payments and a refund. */
const ALL_BILL = readFileSync(join(__dirname, 'fixtures', 'trade-bill-all.csv'), 'utf8');

describe('yuanToFen', () => {
  it.each([
    ['0.00', 0],
    ['0.01', 1],
    ['9.90', 990],
    ['19.9', 1990],
    ['3', 300],
    // 0.29 * 100 is 28.999999999999996 in floating point: the conversion must not go through floats.
    ['0.29', 29],
    ['1234567.89', 123456789],
  ])('%s yuan is %d fen', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
    expect(yuanToFen(fenToYuan(fen))).toBe(fen);
  });

  it.each(['', '-1.00', '1.234', '1,000.00', ' 1.00', '.50', 'NaN'])('refuses %j', (text) => {
    expect(() => yuanToFen(text)).toThrow(TradeBillFormatError);
  });
});

describe('Beijing time', () => {
  it('reads a bill timestamp as UTC+8 and finds the Beijing date of an instant', () => {
    expect(new Date(parseBeijingTime('2024-06-01 09:05:03')).toISOString()).toBe('2024-06-01T01:05:03.000Z');
    // 23:59:59 in Beijing is still 1 June there, though it is 15:59:59 UTC.
    const late = parseBeijingTime('2024-06-01 23:59:59');
    expect(beijingDateOf(late)).toBe('2024-06-01');
    expect(beijingDateOf(late + 1_000)).toBe('2024-06-02');
    expect(formatBeijingTime(late)).toBe('2024-06-01 23:59:59');
  });

  it.each(['2024-06-01T09:05:03', '2024-02-30 10:00:00', '2024-06-01 24:00:00', '2024/06/01 09:05:03'])(
    'refuses %j',
    (text) => expect(() => parseBeijingTime(text)).toThrow(TradeBillFormatError),
  );
});

describe('parseTradeBill', () => {
  it('reads every row of a real-format bill, amounts in fen, refund ids empty on payment rows', () => {
    const bill = parseTradeBill(ALL_BILL);
    expect(bill.summary).toEqual({ count: 3, settlementTotalFen: 2890, refundTotalFen: 990 });
    expect(bill.rows).toHaveLength(3);
    expect(bill.rows[0]).toMatchObject({
      tradeTime: Date.parse('2024-06-01T09:05:03+08:00'),
      appid: 'wx8888888888888888',
      mchid: '1900000109',
      transactionId: '4200002301202406011234567890',
      outTradeNo: 'TTm1a2b3c4d5e6f7',
      tradeType: 'JSAPI',
      tradeState: 'SUCCESS',
      currency: 'CNY',
      settlementTotalFen: 990,
      totalFen: 990,
      refundId: '',
      outRefundNo: '',
      refundFen: 0,
      attach: 'tier=standard',
      fee: '0.06',
      rate: '0.60%',
    });
    // A comma inside a value (商品名称) does not split it: fields are separated by ",`".
    expect(bill.rows[1]).toMatchObject({
      description: 'TokenTill 专业档, 长答案',
      settlementTotalFen: 1900,
      couponFen: 100,
      totalFen: 2000,
    });
    expect(bill.rows[2]).toMatchObject({
      tradeState: 'REFUND',
      refundId: '50300001022024060100000000001',
      outRefundNo: 'TTq1w2e3r4t5y6u7-R1',
      refundFen: 990,
      refundType: 'ORIGINAL',
      refundStatus: 'SUCCESS',
      requestedRefundFen: 990,
    });
  });

  it('never keeps the payer openid (用户标识)', () => {
    expect(JSON.stringify(parseTradeBill(ALL_BILL))).not.toContain('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  });

  it('reads a bill with a BOM and \\n line ends, and an empty day', () => {
    const header = ALL_BILL.split('\r\n')[0]!;
    const empty = `\uFEFF${header}\n总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n\`0,\`0.00,\`0.00,\`0.00,\`0.00,\`0.00,\`0.00\n`;
    expect(parseTradeBill(empty)).toEqual({
      rows: [],
      summary: { count: 0, settlementTotalFen: 0, refundTotalFen: 0 },
    });
  });

  it('refuses a bill whose rows do not add up to its summary (cut short or edited)', () => {
    const lines = ALL_BILL.split('\r\n');
    const withoutARow = [...lines.slice(0, 2), ...lines.slice(3)].join('\r\n');
    expect(() => parseTradeBill(withoutARow)).toThrow(/does not match the rows/);
    expect(() => parseTradeBill(ALL_BILL.replace('`19.00', '`19.01'))).toThrow(/does not match/);
  });

  it('refuses rows without backticks, with a missing column, or a float-looking amount', () => {
    expect(() => parseTradeBill(ALL_BILL.replace('`2024-06-01 09:05:03', '2024-06-01 09:05:03'))).toThrow(
      /backtick/,
    );
    expect(() => parseTradeBill(ALL_BILL.replace('商户订单号', '订单号'))).toThrow(/no column 商户订单号/);
    expect(() => parseTradeBill(ALL_BILL.replace('`9.90,`0.00,`0,', '`9.9e0,`0.00,`0,'))).toThrow(
      TradeBillFormatError,
    );
    expect(() => parseTradeBill('')).toThrow(TradeBillFormatError);
  });
});

describe('bill download checks', () => {
  const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
  const plain = Buffer.from(ALL_BILL, 'utf8');
  const gz = gzipSync(plain);

  it('accepts a file matching its SHA1, gzipped (hash of either form) or not', () => {
    const ticket = { hashType: 'SHA1' as const, downloadUrl: 'x', gzip: true };
    expect(openBillFile(gz, { ...ticket, hashValue: sha1(gz) })).toBe(ALL_BILL);
    expect(openBillFile(gz, { ...ticket, hashValue: sha1(plain) })).toBe(ALL_BILL);
    expect(openBillFile(plain, { ...ticket, gzip: false, hashValue: sha1(plain).toUpperCase() })).toBe(
      ALL_BILL,
    );
  });

  it('refuses a corrupted file', () => {
    const corrupted = Buffer.from(gz);
    corrupted.writeUInt8(corrupted.readUInt8(corrupted.length - 20) ^ 0xff, corrupted.length - 20);
    const ticket = { hashType: 'SHA1' as const, hashValue: sha1(gz), downloadUrl: 'x', gzip: true };
    expect(() => openBillFile(corrupted, ticket)).toThrow(WxPayBillHashError);
    const flipped = Buffer.from(plain);
    flipped.writeUInt8(flipped.readUInt8(200) ^ 0x01, 200);
    expect(() => openBillFile(flipped, { ...ticket, gzip: false, hashValue: sha1(plain) })).toThrow(
      WxPayBillHashError,
    );
  });

  it('builds the request path and refuses a malformed date', () => {
    expect(tradeBillPath({ billDate: '2024-06-01', billType: 'REFUND' })).toBe(
      '/v3/bill/tradebill?bill_date=2024-06-01&bill_type=REFUND&tar_type=GZIP',
    );
    expect(tradeBillPath({ billDate: '2024-06-01', billType: 'ALL', gzip: false })).toBe(
      '/v3/bill/tradebill?bill_date=2024-06-01&bill_type=ALL',
    );
    expect(() => tradeBillPath({ billDate: '2024-6-1', billType: 'ALL' })).toThrow(/bill_date/);
  });
});

describe('bill download requests', () => {
  it('never sends the merchant signature to a download_url off the API origin', async () => {
    const fetch = jest.fn<ReturnType<typeof globalThis.fetch>, Parameters<typeof globalThis.fetch>>();
    const client = createWxPayClient({
      mchid: '1900000109',
      appid: 'wx8888888888888888',
      merchantSerial: 'ABC',
      merchantPrivateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      verifier: { verify: () => ({ ok: true }) } as never,
      apiBase: 'https://api.mch.weixin.qq.com',
      fetch,
    });
    const ticket = { hashType: 'SHA1' as const, hashValue: '0'.repeat(40), gzip: true };
    await expect(
      client.downloadBill({ ...ticket, downloadUrl: 'https://evil.example/v3/billdownload/file?token=x' }),
    ).rejects.toBeInstanceOf(WxPayRequestValidationError);
    await expect(client.downloadBill({ ...ticket, downloadUrl: 'not a url' })).rejects.toBeInstanceOf(
      WxPayRequestValidationError,
    );
    expect(fetch).not.toHaveBeenCalled();
  });
});
