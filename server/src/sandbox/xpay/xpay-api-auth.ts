/**
 * The checks every emulated `/xpay/*` call passes before it does anything, in WeChat's order: the access token,
 * the JSON body, `env`, `pay_sig` under the AppKey of that env over `/xpay/<api>&` + the raw body, and for the
 * calls that act for a user, `signature` under the user's current session_key. Refusals are WeChat's errcodes.
 */
import {
  XPAY_ERRCODES,
  computePaySig,
  computeUserSignature,
  signaturesMatch,
  type XPayEnv,
} from '../../xpay/index.js';
import { WechatApiError, type WechatService } from '../wechat/wechat-service.js';
import type { XPaySandboxCredentials } from './xpay-credentials.js';

/** A call that passed the checks. */
export interface AuthenticatedCall {
  body: Record<string, unknown>;
  env: XPayEnv;
}

export interface XPayApiRequest {
  /** `query_order`, `refund_order`, … */
  api: string;
  query: Record<string, unknown>;
  rawBody: Buffer;
}

export interface ApiAuthRules {
  /** notify_provide_goods: the newer reference shows only the access token, so pay_sig is checked when sent. */
  paySigOptional?: boolean;
  /** The call acts for a user: `signature` under `body.openid`'s session_key is required. */
  userSignature?: boolean;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function authenticateXPayCall(
  request: XPayApiRequest,
  rules: ApiAuthRules,
  credentials: XPaySandboxCredentials,
  wechat: WechatService,
): AuthenticatedCall {
  wechat.checkAccessToken(request.query['access_token']);
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new WechatApiError(47001, 'data format error');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WechatApiError(47001, 'data format error');
  }
  const body = parsed as Record<string, unknown>;
  const env = body['env'];
  if (env !== 0 && env !== 1) throw new WechatApiError(XPAY_ERRCODES.INVALID_PARAMETER, 'env invalid');

  const paySig = text(request.query['pay_sig']);
  if (paySig !== undefined || !rules.paySigOptional) {
    const appKey = env === 0 ? credentials.appKey : credentials.sandboxAppKey;
    // The signed uri is WeChat's path, without the emulator's prefix and without the query.
    if (!signaturesMatch(computePaySig(appKey, `/xpay/${request.api}`, request.rawBody), paySig)) {
      throw new WechatApiError(XPAY_ERRCODES.SIGNATURE_ERROR, 'pay_sig error');
    }
  }

  if (rules.userSignature) {
    const openid = text(body['openid']);
    if (openid === undefined) throw new WechatApiError(XPAY_ERRCODES.INVALID_PARAMETER, 'openid invalid');
    const keys = wechat.sessionKeysOf(openid);
    const signature = request.query['signature'];
    if (keys.current === undefined) {
      throw new WechatApiError(XPAY_ERRCODES.SESSION_KEY_EXPIRED, 'session_key not exist or expired');
    }
    if (!signaturesMatch(computeUserSignature(keys.current, request.rawBody), signature)) {
      const stale = keys.previous.some((key) =>
        signaturesMatch(computeUserSignature(key, request.rawBody), signature),
      );
      throw stale
        ? new WechatApiError(XPAY_ERRCODES.SESSION_KEY_EXPIRED, 'session_key not exist or expired')
        : new WechatApiError(XPAY_ERRCODES.SIGNATURE_ERROR, 'signature error');
    }
  }
  return { body, env };
}
