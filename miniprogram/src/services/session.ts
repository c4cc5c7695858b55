import Taro from '@tarojs/taro';
import type { CreateSessionResponse } from '@tokentill/shared-types';
import { ApiError } from './api-error';
import { send } from './transport';
import { loginCode } from './login';

/** Storage key of the session: `{ token, expiresAt }` (epoch ms). */
export const SESSION_STORAGE_KEY = 'tokentill.session';

/** A token this close to its expiry is renewed before use rather than sent and refused. */
const EXPIRY_MARGIN_MS = 60_000;

/** Attempts at logging in when the server refuses a code (WECHAT_CODE_INVALID): each gets a fresh code. */
const LOGIN_ATTEMPTS = 2;

interface StoredSession {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

let loginInFlight: Promise<string> | undefined;

/**
 * The session token to call the API with: the stored one while it is valid, else a fresh login. Concurrent
 * callers share one login.
 */
export function sessionToken(): Promise<string> {
  const stored = readStored();
  if (stored && isUsable(stored)) return Promise.resolve(stored.token);
  return login();
}

/**
 * Logs in now: a login code from the platform adapter → `POST /api/session` → token in storage. A refused code
 * (WECHAT_CODE_INVALID: expired or already used) is retried once with a fresh code. Single-flight.
 */
export function login(): Promise<string> {
  loginInFlight ??= loginOnce().finally(() => {
    loginInFlight = undefined;
  });
  return loginInFlight;
}

/**
 * The server refused `staleToken` (SESSION_EXPIRED / UNAUTHENTICATED): log in again, unless another call already
 * did, in which case its token is returned. Every failing call asks at most once (see http.ts).
 */
export function renewSession(staleToken: string): Promise<string> {
  if (loginInFlight) return loginInFlight;
  const stored = readStored();
  if (stored && stored.token !== staleToken && isUsable(stored)) return Promise.resolve(stored.token);
  clearSession();
  return login();
}

/** Forgets the stored session (the next call logs in). */
export function clearSession(): void {
  Taro.removeStorageSync(SESSION_STORAGE_KEY);
}

/** True for the answers that mean "this token is no good": log in again and retry. */
export function isSessionError(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.code === 'SESSION_EXPIRED' || error.code === 'UNAUTHENTICATED');
}

async function loginOnce(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const code = await loginCode();
    try {
      const body = await send<Partial<CreateSessionResponse> | null>(
        '/api/session',
        { method: 'POST', data: { code } },
        undefined,
      );
      if (!body || typeof body.token !== 'string' || typeof body.expiresIn !== 'number') {
        throw new ApiError('BAD_RESPONSE', 'POST /api/session answered without a token', { status: 200 });
      }
      const session: StoredSession = { token: body.token, expiresAt: Date.now() + body.expiresIn * 1000 };
      Taro.setStorageSync(SESSION_STORAGE_KEY, session);
      return session.token;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'WECHAT_CODE_INVALID' && attempt < LOGIN_ATTEMPTS)
        continue;
      throw error;
    }
  }
}

function readStored(): StoredSession | undefined {
  let value: unknown;
  try {
    value = Taro.getStorageSync(SESSION_STORAGE_KEY);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { token, expiresAt } = value as Partial<StoredSession>;
  return typeof token === 'string' && token !== '' && typeof expiresAt === 'number'
    ? { token, expiresAt }
    : undefined;
}

function isUsable(session: StoredSession): boolean {
  return session.expiresAt - EXPIRY_MARGIN_MS > Date.now();
}
