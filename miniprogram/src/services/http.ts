import { isSessionError, renewSession, sessionToken } from './session';
import { send, type SendOptions } from './transport';

export { REQUEST_TIMEOUT_MS, apiUrl } from './transport';

export interface RequestOptions extends SendOptions {
  /**
   * Send the session token as `Authorization: Bearer` (default `true`; logs in first when there is none).
   * `false` for public endpoints, the login itself and the sandbox's controls.
   */
  auth?: boolean;
}

/**
 * Calls the TokenTill API with the session token (see transport.ts for the exchange itself). An authenticated
 * call the server refuses with SESSION_EXPIRED or UNAUTHENTICATED logs in again and is retried once; a second
 * refusal is thrown.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  if (options.auth === false) return send<T>(path, options, undefined);
  const token = await sessionToken();
  try {
    return await send<T>(path, options, token);
  } catch (error) {
    if (!isSessionError(error)) throw error;
    const fresh = await renewSession(token);
    return send<T>(path, options, fresh);
  }
}

/** `GET path`, see {@link request}. */
export function get<T>(path: string, options: Omit<RequestOptions, 'method' | 'data'> = {}): Promise<T> {
  return request<T>(path, options);
}

/** `POST path` with a JSON body, see {@link request}. */
export function post<T>(path: string, data: unknown, options: Omit<RequestOptions, 'method' | 'data'> = {}) {
  return request<T>(path, { ...options, method: 'POST', data });
}
