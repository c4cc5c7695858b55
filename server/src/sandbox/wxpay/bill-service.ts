/**
 * The emulated bill download: `GET /v3/bill/tradebill` writes the day's bill from the emulator's ledger, keeps it
 * under a one-time token for 5 minutes (WeChat's download links expire too), and answers its SHA1 and a
 * `download_url`; the download answers the bytes unsigned, gzipped when asked. Faults change the bill's content
 * or corrupt a download after its hash was announced.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import type { TradeBillType } from '../../payment/index.js';
import type { BillFaultStore } from './bill-faults.js';
import { buildTradeBill } from './bill-file.js';
import type { WxPayLedger } from './wxpay-ledger.js';
import { WxPayReplyError } from './wxpay-reply-error.js';

const TOKEN_TTL_MS = 5 * 60_000;
const BILL_TYPES: readonly string[] = ['ALL', 'SUCCESS', 'REFUND'];

export interface BillService {
  /**
   * `GET /v3/bill/tradebill`. @throws WxPayReplyError 400 `PARAM_ERROR` for a bad bill_date, bill_type or
   * tar_type, `NO_STATEMENT_EXIST` for a future date.
   */
  apply(
    query: Record<string, unknown>,
    downloadBase: string,
  ): { hash_type: 'SHA1'; hash_value: string; download_url: string };
  /** The file behind a download token. @throws WxPayReplyError 404 when unknown or expired. */
  download(token: string): { body: Buffer; gzip: boolean };
}

export function createBillService(options: {
  ledger: WxPayLedger;
  faults: BillFaultStore;
  now: () => number;
}): BillService {
  const { ledger, faults, now } = options;
  const files = new Map<string, { body: Buffer; gzip: boolean; expiresAt: number }>();

  const param = (query: Record<string, unknown>, name: string) => {
    const value = query[name];
    return typeof value === 'string' ? value : undefined;
  };
  const paramError = (field: string, issue: string) =>
    new WxPayReplyError(
      400,
      'PARAM_ERROR',
      `输入源“/query/${field}”映射到值字段“${field}”字符串规则校验失败`,
      {
        field,
        location: 'query',
        issue,
      },
    );

  return {
    apply(query, downloadBase) {
      const billDate = param(query, 'bill_date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate) || Number.isNaN(Date.parse(`${billDate}T00:00:00Z`))) {
        throw paramError('bill_date', 'bill_date must be yyyy-MM-DD');
      }
      const billType = param(query, 'bill_type') ?? 'ALL';
      if (!BILL_TYPES.includes(billType))
        throw paramError('bill_type', 'bill_type must be ALL, SUCCESS or REFUND');
      const tarType = param(query, 'tar_type');
      if (tarType !== undefined && tarType !== 'GZIP') throw paramError('tar_type', 'tar_type must be GZIP');
      const today = new Date(now() + 8 * 3_600_000).toISOString().slice(0, 10);
      if (billDate > today) throw new WxPayReplyError(400, 'NO_STATEMENT_EXIST', '账单日期不能晚于当前日期');

      const text = buildTradeBill({
        billDate,
        billType: billType as TradeBillType,
        orders: ledger.orders(),
        refunds: ledger.refunds(),
        faults: faults.list(),
        findOrder: (no) => ledger.findOrder(no),
      });
      const gzip = tarType === 'GZIP';
      const body = gzip ? gzipSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
      const token = randomBytes(16).toString('hex');
      const at = now();
      for (const [key, file] of files) if (file.expiresAt <= at) files.delete(key);
      files.set(token, { body, gzip, expiresAt: at + TOKEN_TTL_MS });
      return {
        hash_type: 'SHA1',
        hash_value: createHash('sha1').update(body).digest('hex'),
        download_url: `${downloadBase}?token=${token}`,
      };
    },

    download(token) {
      const file = files.get(token);
      if (!file || file.expiresAt <= now()) {
        throw new WxPayReplyError(404, 'RESOURCE_NOT_EXISTS', '账单文件不存在或下载链接已过期');
      }
      if (!faults.takeCorruption()) return { body: file.body, gzip: file.gzip };
      // One byte flipped in the middle: the announced hash no longer matches.
      const body = Buffer.from(file.body);
      const i = Math.floor(body.length / 2);
      body.writeUInt8(body.readUInt8(i) ^ 0x5a, i);
      return { body, gzip: file.gzip };
    },
  };
}
