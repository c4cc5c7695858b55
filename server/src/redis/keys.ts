/**
 * Every Redis key TokenTill writes is built here, from the deployment's prefix. Keys of one order share the
 * hash tag `{o:<id>}` and keys of one user share `{u:<userKey>}`, so a Lua script touching several keys of one
 * order (or one user) works on Redis Cluster.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Pattern matching every key of this deployment (for SCAN-based cleanup in tests and tools). */
  readonly all: string;
  /** BullMQ's key prefix (hash-tagged, as BullMQ requires on Cluster). */
  readonly queuePrefix: string;
  order(orderId: string): string;
  orderStream(orderId: string): string;
  session(tokenHash: string): string;
  /** Pub/sub channel carrying the id (token hash) of each revoked session, so every instance closes its sockets. */
  sessionRevocations(): string;
  /** A user's orders, newest last (sorted set scored by creation time). */
  userOrders(userKey: string): string;
  /** A user's unpaid orders (sorted set scored by payment deadline), for the open-order cap. */
  userOpenOrders(userKey: string): string;
  /** Fixed-window counter of a user's order creations. */
  userOrderRate(userKey: string, window: number): string;
  /** Fixed-window counter of a user's payment confirmations (POST /api/orders/:id/confirm). */
  userConfirmRate(userKey: string, window: number): string;
  /** Single-flight claim on an order's WeChat Pay query from a confirmation: one at a time, spaced out. */
  orderPaymentQuery(orderId: string): string;
  /** Fixed-window counter of logins from one client address (by its SHA-256: no raw IP in key listings). */
  loginIpRate(ipHash: string, window: number): string;
  /** Marks a wx.login code (by its SHA-256, never the code) as presented, so it reaches WeChat once. */
  loginCode(codeHash: string): string;
  /** Orders whose payment the reconciler must check (sorted set scored by the next check time). */
  paymentChecks(): string;
  /** Refunds the reconciler must follow until WeChat Pay reports a final state. */
  refundChecks(): string;
  /**
   * Every order not yet in a final state (sorted set scored by when the recovery sweep should next look at it).
   * An order joins before it can need a next step and leaves only once final, so the sweep can always find it.
   */
  liveOrders(): string;
  /** The sealed openid of a completed order, kept briefly for its subscribe message (erased from the order). */
  orderOpenidHandover(orderId: string): string;
  /** Set once a socket delivered the order's final state: no subscribe message is needed then. */
  orderWatched(orderId: string): string;
  /** Completed orders whose subscribe message is due (sorted set scored by due time). */
  notifyChecks(): string;
  /** The WeChat server API access token, shared by all instances. */
  accessToken(): string;
  /** Paid notifications that did not match their order (wrong amount, appid, mchid): for an operator. */
  paymentAnomalies(): string;
  /** Lease of one day's bill reconciliation (date `YYYY-MM-DD`), so one instance runs it. */
  billReconcileLease(billDate: string): string;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function assertId(kind: string, id: string): string {
  // A key part containing '{', '}' or '*' would break hash tags or SCAN patterns; ids are ours, so this is a bug guard.
  if (!SAFE_ID.test(id)) throw new TypeError(`invalid ${kind} id for a Redis key: ${JSON.stringify(id)}`);
  return id;
}

export function createRedisKeys(prefix: string): RedisKeys {
  const user = (key: string) => `${prefix}user:{u:${assertId('user', key)}}`;
  return {
    prefix,
    all: `${prefix}*`,
    queuePrefix: `${prefix}{bull}`,
    order: (id) => `${prefix}order:{o:${assertId('order', id)}}`,
    orderStream: (id) => `${prefix}order:{o:${assertId('order', id)}}:stream`,
    session: (tokenHash) => `${prefix}session:${assertId('session', tokenHash)}`,
    sessionRevocations: () => `${prefix}channel:session-revocations`,
    userOrders: (key) => `${user(key)}:orders`,
    userOpenOrders: (key) => `${user(key)}:open`,
    userOrderRate: (key, window) => `${user(key)}:rate:${window}`,
    userConfirmRate: (key, window) => `${user(key)}:confirm-rate:${window}`,
    orderPaymentQuery: (id) => `${prefix}order:{o:${assertId('order', id)}}:payment-query`,
    loginIpRate: (ipHash, window) => `${prefix}login:ip:${assertId('address hash', ipHash)}:${window}`,
    loginCode: (codeHash) => `${prefix}login:code:${assertId('code hash', codeHash)}`,
    paymentChecks: () => `${prefix}schedule:payment-checks`,
    refundChecks: () => `${prefix}schedule:refund-checks`,
    liveOrders: () => `${prefix}schedule:live-orders`,
    orderOpenidHandover: (id) => `${prefix}order:{o:${assertId('order', id)}}:notify-openid`,
    paymentAnomalies: () => `${prefix}payment-anomalies`,
    orderWatched: (id) => `${prefix}order:{o:${assertId('order', id)}}:watched`,
    notifyChecks: () => `${prefix}schedule:notify-checks`,
    accessToken: () => `${prefix}wechat:access-token`,
    billReconcileLease: (billDate) => `${prefix}lease:bill-reconcile:${assertId('bill date', billDate)}`,
  };
}
