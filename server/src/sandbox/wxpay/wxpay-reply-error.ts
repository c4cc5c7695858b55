/**
 * An error the emulated WeChat Pay answers with: a non-2xx status and `{"code","message","detail"?}`, the body
 * shape of every APIv3 error.
 */

/** Error codes the emulator uses, as WeChat Pay spells them. */
export type WxPayErrorCode =
  | 'SIGN_ERROR'
  | 'PARAM_ERROR'
  | 'INVALID_REQUEST'
  | 'APPID_MCHID_NOT_MATCH'
  | 'ORDERPAID'
  | 'ORDER_CLOSED'
  | 'ORDER_NOT_EXIST'
  | 'RESOURCE_NOT_EXISTS'
  | 'NOT_FOUND'
  | 'NO_STATEMENT_EXIST'
  | 'SYSTEM_ERROR';

/** Thrown by the emulator's WeChat Pay logic; the route layer turns it into a signed error answer. */
export class WxPayReplyError extends Error {
  override readonly name = 'WxPayReplyError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 500,
    readonly code: WxPayErrorCode,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The JSON body WeChat Pay sends with this error. */
  toBody(): { code: string; message: string; detail?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/**
 * A `PARAM_ERROR` worded like WeChat's (`输入源“/body/description”映射到值字段“商品描述”…`), with the field and an
 * English explanation in `detail` for developers.
 *
 * @param field JSON pointer-ish path inside the body, e.g. `amount/total`.
 */
export function paramError(field: string, label: string, rule: string, explanation: string): WxPayReplyError {
  return new WxPayReplyError(400, 'PARAM_ERROR', `输入源“/body/${field}”映射到值字段“${label}”${rule}`, {
    field: `/${field}`,
    location: 'body',
    issue: explanation,
  });
}
