/**
 * The two steps of getting a bill from WeChat Pay APIv3: ask for it (`GET /v3/bill/tradebill`, a signed JSON
 * answer naming `download_url`, `hash_type` and `hash_value`), then download it. The download's answer is the one
 * APIv3 answer WeChat Pay does not sign; its integrity is the SHA1 `hash_value` of the first answer instead.
 * https://pay.weixin.qq.com/docs/merchant/apis/bill-download/trade-bill/get-trade-bill.html
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import { isObject } from './resource-guards.js';
import { WxPayError, WxPayRequestValidationError } from './wxpay-errors.js';

/** `ALL`: payments and refunds of the day; `SUCCESS`: payments only; `REFUND`: refunds only. */
export type TradeBillType = 'ALL' | 'SUCCESS' | 'REFUND';

export interface TradeBillRequest {
  /** Beijing date, `YYYY-MM-DD`; WeChat keeps three months of bills. */
  billDate: string;
  billType: TradeBillType;
  /** Ask for the file gzipped (it is un-gzipped after the hash check). Default true. */
  gzip?: boolean;
}

/** Where and how to fetch one bill file. */
export interface BillDownloadTicket {
  hashType: 'SHA1';
  /** Hex SHA1 of the file. */
  hashValue: string;
  downloadUrl: string;
  gzip: boolean;
}

/** A downloaded bill whose bytes do not match `hash_value`: corrupted or tampered with, never to be used. */
export class WxPayBillHashError extends WxPayError {
  override readonly name = 'WxPayBillHashError';
}

const BILL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The path and query of `GET /v3/bill/tradebill` for one request. */
export function tradeBillPath(request: TradeBillRequest): string {
  if (!BILL_DATE.test(request.billDate) || Number.isNaN(Date.parse(`${request.billDate}T00:00:00Z`))) {
    throw new WxPayRequestValidationError('bill_date', 'bill_date: must be a date like 2024-06-01');
  }
  const query = new URLSearchParams({ bill_date: request.billDate, bill_type: request.billType });
  if (request.gzip ?? true) query.set('tar_type', 'GZIP');
  return `/v3/bill/tradebill?${query.toString()}`;
}

/** Reads the answer of `GET /v3/bill/tradebill`; undefined when it lacks a field. */
export function readBillTicket(json: unknown, gzip: boolean): BillDownloadTicket | undefined {
  if (!isObject(json)) return undefined;
  const { hash_type: hashType, hash_value: hashValue, download_url: downloadUrl } = json;
  if (hashType !== 'SHA1' || typeof hashValue !== 'string' || !/^[0-9a-fA-F]{40}$/.test(hashValue)) {
    return undefined;
  }
  if (typeof downloadUrl !== 'string' || downloadUrl === '') return undefined;
  return { hashType, hashValue: hashValue.toLowerCase(), downloadUrl, gzip };
}

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/**
 * Checks a downloaded file against its ticket and returns the bill's text.
 *
 * The hash is checked over the bytes as downloaded. The documentation does not say whether a GZIP bill's hash
 * covers the compressed or the uncompressed file, so a gzipped download is also accepted when the uncompressed
 * file matches: either way the content is the one WeChat Pay hashed.
 *
 * @throws WxPayBillHashError when neither matches, or a gzipped file does not decompress.
 */
export function openBillFile(body: Buffer, ticket: BillDownloadTicket): string {
  const expected = ticket.hashValue.toLowerCase();
  if (!ticket.gzip) {
    if (sha1(body) !== expected) throw hashMismatch(ticket);
    return body.toString('utf8');
  }
  let plain: Buffer;
  try {
    plain = gunzipSync(body);
  } catch (err) {
    if (sha1(body) === expected) {
      throw new WxPayBillHashError(`the bill matches its hash but is not gzip: ${(err as Error).message}`);
    }
    throw hashMismatch(ticket);
  }
  if (sha1(body) !== expected && sha1(plain) !== expected) throw hashMismatch(ticket);
  return plain.toString('utf8');
}

function hashMismatch(ticket: BillDownloadTicket): WxPayBillHashError {
  return new WxPayBillHashError(
    `the downloaded bill does not match its ${ticket.hashType} hash_value ${ticket.hashValue}: not used`,
  );
}
