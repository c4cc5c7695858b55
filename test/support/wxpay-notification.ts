import type { Transaction } from '../../server/src/payment';
import { loadOrCreateSandboxKeys } from '../../server/src/sandbox';
import { buildNotification, notificationHeaders } from '../../server/src/sandbox/wxpay/notification-envelope';

/**
 * Sends `resource` to a server's notify endpoint as a genuine TRANSACTION.SUCCESS notification: encrypted with
 * the sandbox's APIv3 key and signed with its platform key, exactly as the emulator (and WeChat Pay) would. For
 * tests of what the server does with a verified notification whose CONTENT is hostile or surprising.
 */
export async function sendTransactionNotification(
  server: { url: string; config: { SANDBOX_KEYS_DIR: string } },
  resource: Transaction,
): Promise<Response> {
  const keys = await loadOrCreateSandboxKeys(server.config.SANDBOX_KEYS_DIR);
  const now = Date.now();
  const { body } = buildNotification(
    { eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', resource },
    keys.apiV3Key,
    now,
  );
  const headers = await notificationHeaders(
    { publicKeyId: keys.publicKeyId, privateKey: keys.wechatpayPrivateKey },
    body,
    now,
    'valid',
  );
  return fetch(`${server.url}/api/pay/wxpay/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}
