/**
 * The emulated WeChat server API for one Mini Program: login codes (code2Session), stable access tokens, and
 * subscribe messages with their one-time grants. Errors are WeChat's `{errcode, errmsg}` codes.
 */
import { randomBytes, randomInt } from 'node:crypto';

import type { Logger } from '../../observability/logger.js';
import { newRid } from '../sandbox-ids.js';
import type { SandboxKeys } from '../sandbox-keys.js';
import { OPENID_SHAPE, identityOfCode, isMalformedCode, openidForIdentity } from './wechat-identity.js';
import { isKnownFieldKey, isValidFieldValue } from './subscribe-values.js';

/** An error WeChat answers with HTTP 200 and `{errcode, errmsg}`. */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${errcode} ${errmsg}`);
  }

  /** The body WeChat sends; like WeChat, the message ends with a request id (`…, rid: 6593b2c1-…`). */
  toBody(): { errcode: number; errmsg: string } {
    return { errcode: this.errcode, errmsg: `${this.errmsg}, rid: ${newRid()}` };
  }
}

/** A subscribe message WeChat accepted. */
export interface SubscribeMessageRecord {
  msgid: number;
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state: string;
  lang: string;
  /** ISO 8601, emulator clock. */
  sentAt: string;
}

/** Remaining one-time grants of one user for one template. */
export interface SubscribeGrant {
  openid: string;
  template_id: string;
  remaining: number;
}

/** The emulated WeChat server API. Every method throws {@link WechatApiError} where WeChat answers an errcode. */
export interface WechatService {
  /** `GET /sns/jscode2session`. */
  code2Session(query: Record<string, unknown>): { openid: string; session_key: string };
  /** `POST /cgi-bin/stable_token`. */
  stableToken(body: unknown): { access_token: string; expires_in: number };
  /**
   * `POST /cgi-bin/message/subscribe/send?access_token=`. Checks, in WeChat's order: the token (41001/40001/42001),
   * the body (47001), touser (40003), template_id (40037), the data values (47003), then the grant (43101).
   *
   * @param readBody reads the JSON body; called only once the token passed.
   */
  sendSubscribeMessage(
    accessToken: unknown,
    readBody: () => unknown,
  ): { errcode: 0; errmsg: 'ok'; msgid: number };
  /** The openid a login identity gets (what jscode2session returns for `<identity>.<anything>`). */
  openidFor(identity: string): string;
  /**
   * Checks an access token as every token-taking API does first (41001 missing, 40001 invalid, 42001 expired).
   *
   * @throws WechatApiError
   */
  checkAccessToken(token: unknown): void;
  /**
   * The session_keys code2Session issued to `openid`: the current one (the latest login) and a few earlier ones,
   * newest first, so an emulated API can tell a stale key from a wrong one.
   */
  sessionKeysOf(openid: string): { current?: string; previous: string[] };
  /**
   * Adds `count` one-time grants (what the user accepting `wx.requestSubscribeMessage` gives).
   *
   * @returns the grants now remaining.
   * @throws TypeError for an openid that is not shaped like one, an empty template id or a bad count.
   */
  grantSubscribe(openid: string, templateId: string, count: number): number;
  grants(): SubscribeGrant[];
  /** Accepted messages, oldest first, optionally only those to one user. */
  messages(touser?: string): SubscribeMessageRecord[];
  /** Forgets recorded messages (grants are kept). */
  clearMessages(): void;
}

/** Options for {@link createWechatService}. */
export interface WechatServiceOptions {
  keys: SandboxKeys;
  now: () => number;
  logger: Logger;
}

const TOKEN_TTL_MS = 7200 * 1000;
/** The platform renews a stable token 5 minutes early; the old one stays valid until its own expiry. */
const TOKEN_RENEW_BEFORE_MS = 300 * 1000;
/** Used codes remembered (oldest forgotten first), so a long session cannot grow without bound. */
const MAX_USED_CODES = 100_000;
const MAX_MESSAGES = 1_000;
/** Users whose session_keys are remembered (oldest forgotten first), and earlier keys kept per user. */
const MAX_SESSION_USERS = 100_000;
const PREVIOUS_SESSION_KEYS = 4;
const TEMPLATE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const STATES = ['developer', 'trial', 'formal'];
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'];

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Creates the emulated API with no codes used, no tokens and no grants. */
export function createWechatService(options: WechatServiceOptions): WechatService {
  const { keys, now, logger } = options;
  const usedCodes = new Set<string>();
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let current: { token: string; expiresAtMs: number } | undefined;
  const grants = new Map<string, SubscribeGrant>();
  const messages: SubscribeMessageRecord[] = [];
  const sessionKeys = new Map<string, string[]>(); // openid → session_keys, newest first

  const openidFor = (identity: string) => openidForIdentity(keys.identitySecret, keys.appid, identity);

  const checkApp = (appid: string, secret: string) => {
    if (appid !== keys.appid) throw new WechatApiError(40013, 'invalid appid');
    if (secret !== keys.appSecret) throw new WechatApiError(40125, 'invalid appsecret');
  };

  const checkToken = (token: unknown) => {
    if (typeof token !== 'string' || token === '') throw new WechatApiError(41001, 'access_token missing');
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined) {
      throw new WechatApiError(40001, 'invalid credential, access_token is invalid or not latest');
    }
    if (now() >= expiresAt) throw new WechatApiError(42001, 'access_token expired');
  };

  const checkData = (data: unknown) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new WechatApiError(47003, 'argument invalid! data invalid');
    }
    const entries = Object.entries(data as Record<string, unknown>);
    if (entries.length === 0) throw new WechatApiError(47003, 'argument invalid! data invalid');
    for (const [key, field] of entries) {
      if (!isKnownFieldKey(key)) throw new WechatApiError(47003, `argument invalid! data.${key} invalid`);
      const value =
        typeof field === 'object' && field !== null ? (field as { value?: unknown }).value : undefined;
      if (typeof value !== 'string' || !isValidFieldValue(key, value)) {
        throw new WechatApiError(47003, `argument invalid! data.${key}.value invalid`);
      }
    }
    return data as Record<string, { value: string }>;
  };

  return {
    code2Session(query) {
      const appid = text(query['appid']);
      const secret = text(query['secret']);
      const code = text(query['js_code']);
      if (appid === undefined || appid === '') throw new WechatApiError(41002, 'appid missing');
      if (secret === undefined || secret === '') throw new WechatApiError(41004, 'appsecret missing');
      if (code === undefined) throw new WechatApiError(41008, 'missing code');
      if (query['grant_type'] !== 'authorization_code') throw new WechatApiError(40002, 'invalid grant_type');
      checkApp(appid, secret);
      if (isMalformedCode(code)) throw new WechatApiError(40029, 'invalid code');
      if (usedCodes.has(code)) throw new WechatApiError(40163, 'code been used');
      usedCodes.add(code);
      if (usedCodes.size > MAX_USED_CODES) usedCodes.delete(usedCodes.values().next().value as string);
      // session_key changes on every login, as in production; it is 16 random bytes in Base64.
      const openid = openidFor(identityOfCode(code));
      const sessionKey = randomBytes(16).toString('base64');
      const issued = [sessionKey, ...(sessionKeys.get(openid) ?? [])].slice(0, PREVIOUS_SESSION_KEYS + 1);
      sessionKeys.delete(openid);
      sessionKeys.set(openid, issued);
      if (sessionKeys.size > MAX_SESSION_USERS) sessionKeys.delete(sessionKeys.keys().next().value as string);
      return { openid, session_key: sessionKey };
    },

    stableToken(body) {
      const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      if (input['grant_type'] !== 'client_credential') throw new WechatApiError(40002, 'invalid grant_type');
      const appid = text(input['appid']) ?? '';
      const secret = text(input['secret']) ?? '';
      if (appid === '') throw new WechatApiError(41002, 'appid missing');
      if (secret === '') throw new WechatApiError(41004, 'appsecret missing');
      checkApp(appid, secret);
      const at = now();
      for (const [token, expiresAt] of tokens) if (expiresAt <= at) tokens.delete(token);
      const force = input['force_refresh'] === true;
      if (force || !current || at >= current.expiresAtMs - TOKEN_RENEW_BEFORE_MS) {
        // A forced refresh invalidates the previous token at once; a normal renewal lets it run out.
        if (force && current) tokens.delete(current.token);
        current = {
          token: `${randomInt(10, 100)}_${randomBytes(96).toString('base64url')}`,
          expiresAtMs: at + TOKEN_TTL_MS,
        };
        tokens.set(current.token, current.expiresAtMs);
      }
      return { access_token: current.token, expires_in: Math.floor((current.expiresAtMs - at) / 1000) };
    },

    sendSubscribeMessage(accessToken, readBody) {
      checkToken(accessToken);
      const body = readBody();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new WechatApiError(47001, 'data format error');
      }
      const input = body as Record<string, unknown>;
      const touser = text(input['touser']);
      if (touser === undefined || !OPENID_SHAPE.test(touser))
        throw new WechatApiError(40003, 'invalid openid');
      const templateId = text(input['template_id']);
      if (templateId === undefined || !TEMPLATE_ID.test(templateId)) {
        throw new WechatApiError(40037, 'invalid template_id');
      }
      const page = input['page'];
      if (page !== undefined && (typeof page !== 'string' || page.length > 1024)) {
        throw new WechatApiError(47003, 'argument invalid! page invalid');
      }
      const state = input['miniprogram_state'] ?? 'formal';
      if (typeof state !== 'string' || !STATES.includes(state)) {
        throw new WechatApiError(47003, 'argument invalid! miniprogram_state invalid');
      }
      const lang = input['lang'] ?? 'zh_CN';
      if (typeof lang !== 'string' || !LANGS.includes(lang))
        throw new WechatApiError(47003, 'argument invalid! lang invalid');
      const data = checkData(input['data']);

      // Each accepted requestSubscribeMessage allows exactly one send; "always allow" does not change that.
      const grant = grants.get(`${touser}\n${templateId}`);
      if (!grant || grant.remaining <= 0) throw new WechatApiError(43101, 'user refuse to accept the msg');
      grant.remaining -= 1;

      const record: SubscribeMessageRecord = {
        // randomInt spans at most 2^48 values; the sum stays below 2^53, so the id survives JSON in any client.
        msgid: 1e15 + randomInt(2 ** 48 - 1),
        touser,
        template_id: templateId,
        ...(typeof page === 'string' ? { page } : {}),
        data: structuredClone(data),
        miniprogram_state: state,
        lang,
        sentAt: new Date(now()).toISOString(),
      };
      messages.push(record);
      if (messages.length > MAX_MESSAGES) messages.shift();
      logger.debug({ msgid: record.msgid, templateId }, 'sandbox subscribe message accepted');
      return { errcode: 0, errmsg: 'ok', msgid: record.msgid };
    },

    openidFor,

    checkAccessToken: checkToken,

    sessionKeysOf(openid) {
      const [current, ...previous] = sessionKeys.get(openid) ?? [];
      return current === undefined ? { previous: [] } : { current, previous };
    },

    grantSubscribe(openid, templateId, count) {
      if (!OPENID_SHAPE.test(openid)) throw new TypeError(`"${openid}" is not an openid (o + 27 characters)`);
      if (!TEMPLATE_ID.test(templateId))
        throw new TypeError('template_id must be 1–128 characters of [A-Za-z0-9_-]');
      if (!Number.isSafeInteger(count) || count < 1 || count > 1000) {
        throw new TypeError('count must be an integer from 1 to 1000');
      }
      const key = `${openid}\n${templateId}`;
      const grant = grants.get(key) ?? { openid, template_id: templateId, remaining: 0 };
      grant.remaining += count;
      grants.set(key, grant);
      return grant.remaining;
    },

    grants: () => [...grants.values()].map((grant) => ({ ...grant })),

    messages: (touser) =>
      messages.filter((m) => touser === undefined || m.touser === touser).map((m) => structuredClone(m)),

    clearMessages() {
      messages.length = 0;
    },
  };
}
