/**
 * One call for a push endpoint: verify (and decrypt) the push, then type it as an xpay event.
 */
import type { ResolvedPushConfig } from './push-config.js';
import { parseXPayEvent, type XPayEvent } from './push-events.js';
import { openPush, type OpenedPush, type PushRequest } from './push-request.js';

/** A verified push and its typed event. */
export interface XPayPush {
  push: OpenedPush;
  event: XPayEvent;
}

/**
 * Opens a push and types its event.
 *
 * @throws PushError for anything that must not be acted on (see push-errors.ts for each reason).
 */
export function openXPayPush(request: PushRequest, config: ResolvedPushConfig, nowMs = Date.now()): XPayPush {
  const push = openPush(request, config, nowMs);
  return { push, event: parseXPayEvent(push.message) };
}
