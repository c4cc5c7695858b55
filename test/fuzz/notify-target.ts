import { loadOrCreateSandboxKeys } from '../../server/src/sandbox';
import type { TestServer } from '../support/test-server';
import type { FuzzTarget } from './fuzz-runner';
import { expectAlive } from './fuzz-server';
import { notifyCase, type NotifyCase } from './notify-cases';
import { judgeNotification } from './notify-oracle';
import { buildNotification, type WechatPayIdentity } from './notify-request';
import { OrderPool } from './order-pool';
import { rawRequest } from './raw-http';

/** Cases in CI (FUZZ_CASES overrides it). */
export const NOTIFY_CI_CASES = 400;

/**
 * `POST /api/pay/wxpay/notify` under fuzz: genuine notifications for real unpaid orders, changed in their headers,
 * their bytes or their (properly encrypted and signed) content. The oracle (notify-oracle.ts): 401 for anything
 * the signature does not cover, 400 for verified bodies the server cannot use, the documented 500 only when a
 * verified resource does not decrypt, 204 only for a usable notification, no SUCCESS acknowledged unless it pays
 * an order of ours, and order states compared before and after each case: only a payment that matches its order
 * in every field that carries money credits it.
 */
export async function notifyTarget(server: TestServer): Promise<FuzzTarget<NotifyCase>> {
  const keys = await loadOrCreateSandboxKeys(server.config.SANDBOX_KEYS_DIR);
  const who: WechatPayIdentity = {
    appid: keys.appid,
    mchid: keys.mchid,
    apiV3Key: keys.apiV3Key,
    publicKeyId: keys.publicKeyId,
    privateKey: keys.wechatpayPrivateKey,
    publicKey: keys.wechatpayPublicKey,
  };
  const pool = new OrderPool(server);
  return {
    name: 'payment-notify',
    testFile: 'test/fuzz/payment-notify.test.ts',
    ciCases: NOTIFY_CI_CASES,
    input: notifyCase,
    async run(fuzzCase, index) {
      const target = await pool.target();
      const built = buildNotification(
        who,
        { ...target, earlier: (pick) => pool.earlier(pick) ?? target.id },
        fuzzCase,
        index,
      );
      // The newest orders, and any order of ours the content names.
      const before = await pool.states([target.id, built.resource['out_trade_no']]);
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: '/api/pay/wxpay/notify',
        headers: built.headers,
        body: built.body,
      });
      const after = await pool.states([...before.keys()]);
      const { problems, credited } = judgeNotification(who, {
        built,
        res,
        target,
        priceOf: (id) => pool.priceOf(id),
        before,
        after,
      });
      if (credited) pool.credited(target.id);
      if (problems.length > 0) throw new Error(problems.join('; '));
    },
    checkpoint: () => expectAlive(server.url),
  };
}
