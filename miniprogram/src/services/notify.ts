import { requestGrant } from './subscribe';

/** The subscribe-message template the server sends "answer ready" with; empty = do not ask. */
export function answerTemplateId(): string {
  return (process.env.TARO_APP_SUBSCRIBE_TEMPLATE_ID ?? '').trim();
}

/**
 * Asks for one "answer ready" notification, if a template is configured. Resolves `false` when not asked,
 * refused or failed; never rejects (the notification is a convenience, never a reason not to pay).
 */
export function requestAnswerNotification(): Promise<boolean> {
  const templateId = answerTemplateId();
  return templateId ? requestGrant(templateId) : Promise.resolve(false);
}
