import type {
  ArmedFaults,
  Breakers,
  CircuitState,
  ModelFault,
  ModelFaultSpec,
  PaymentFault,
} from '../../services/sandbox-control.h5';

/** Ids of the drills; each button carries `.sandbox-fault--<id>`. */
export type DrillId =
  'duplicates' | 'delay' | 'drop' | 'forged' | 'probe' | 'model-cut' | 'model-fail' | 'model-down';

/** One fault drill the panel offers: what it arms for the next order and what the developer should see. */
export interface Drill {
  id: DrillId;
  title: string;
  /** One line: what the product does about it. */
  expect: string;
  /** The notification fault to arm (`POST /sandbox/faults`), if any. */
  payment?: PaymentFault;
  /** The model faults to install (`POST /sandbox/model/faults`, in this order), if any. */
  model?: ModelFaultSpec[];
}

/**
 * The drills, in the order shown. Model drills target the basic tier's chain (mock-fast → mock-backup); the pro
 * tier starts with mock-smart, which they leave alone.
 */
export const DRILLS: readonly Drill[] = [
  {
    id: 'duplicates',
    title: '重复回调',
    expect: '5 个相同的支付回调同时到达，只会生成一次回答',
    payment: { duplicates: 5, once: true },
  },
  {
    id: 'delay',
    title: '回调延迟',
    expect: '支付回调晚到 8 秒，页面会先查询支付结果，不用等回调',
    payment: { delayMs: 8000, once: true },
  },
  {
    id: 'drop',
    title: '回调丢失',
    expect: '支付回调不会到达，由主动查询/对账补上',
    payment: { drop: true, once: true },
  },
  {
    id: 'forged',
    title: '伪造签名',
    expect: '首个回调签名无效，被拒绝，随后的正确重试才入账',
    payment: { badSignature: true, once: true },
  },
  {
    id: 'probe',
    title: '签名探测',
    expect: '首个回调是 WECHATPAY/SIGNTEST 探测，被拒绝，随后的正确重试才入账',
    payment: { signatureProbe: true, once: true },
  },
  {
    id: 'model-cut',
    title: '模型中断',
    expect: '首选模型答到一半断开，回答会可见地重新开始，换用备用模型',
    model: [{ kind: 'cut_mid_stream', model: 'mock-fast', count: 1, afterTokens: 20 }],
  },
  {
    id: 'model-fail',
    title: '模型全部失败 → 退款',
    expect: '基础套餐的模型各失败一次，订单失败并自动原路退款',
    model: [
      { kind: 'http_500', model: 'mock-fast', count: 1 },
      { kind: 'http_500', model: 'mock-backup', count: 1 },
    ],
  },
  {
    id: 'model-down',
    title: '基础套餐模型宕机 → 熔断',
    expect:
      '两个模型一直失败：前几笔订单失败并退款，直到两者熔断；之后基础套餐显示繁忙，付款前就拒绝下单，不再扣款后退款',
    model: [
      { kind: 'http_500', model: 'mock-fast' },
      { kind: 'http_500', model: 'mock-backup' },
    ],
  },
];

const CIRCUIT_NAMES: Record<CircuitState, string> = {
  closed: '正常',
  open: '熔断中',
  half_open: '试探中',
};

/** One line of the breaker list: a provider's circuit, or a tier's availability. */
export interface BreakerLine {
  key: string;
  name: string;
  status: string;
  /** `ok` when it can take orders, `bad` when it cannot, `busy` while a breaker tries again. */
  tone: 'ok' | 'busy' | 'bad';
}

/** The breakers in words: each tier (可下单 / 繁忙), then each provider (正常 / 熔断中 / 试探中). */
export function breakerLines(breakers: Breakers): BreakerLine[] {
  const tiers = breakers.tiers.map((tier): BreakerLine => ({
    key: `tier:${tier.id}`,
    name: `套餐 ${tier.title}`,
    status: tier.available ? '可下单' : '繁忙（拒绝下单）',
    tone: tier.available ? 'ok' : 'bad',
  }));
  const providers = Object.entries(breakers.providers).map(([id, state]): BreakerLine => ({
    key: `provider:${id}`,
    name: id,
    status: CIRCUIT_NAMES[state] ?? state,
    tone: state === 'closed' ? 'ok' : state === 'open' ? 'bad' : 'busy',
  }));
  return [...tiers, ...providers];
}

const MODEL_FAULT_NAMES: Record<ModelFault['kind'], string> = {
  http_500: 'HTTP 500',
  http_429: 'HTTP 429 限流',
  hang: '无响应',
  hang_after_headers: '响应头后无响应',
  cut_before_first_token: '首字前断开',
  cut_mid_stream: '回答中途断开',
  slow: '变慢',
};

/** A notification fault in words, e.g. "重复回调 ×5 · 仅下一笔". */
export function describePaymentFault(fault: PaymentFault): string {
  const parts: string[] = [];
  if (fault.duplicates !== undefined) parts.push(`重复回调 ×${fault.duplicates}`);
  if (fault.delayMs !== undefined) parts.push(`延迟 ${Math.round(fault.delayMs / 100) / 10} 秒`);
  if (fault.drop) parts.push('丢失回调');
  if (fault.badSignature) parts.push('伪造签名');
  if (fault.signatureProbe) parts.push('签名探测');
  if (fault.staleTimestamp) parts.push('过期时间戳');
  if (fault.wrongAmount) parts.push('金额不符');
  if (parts.length === 0) parts.push('无');
  parts.push(fault.once ? '仅下一笔' : '持续生效');
  return parts.join(' · ');
}

/** A model fault in words, e.g. "mock-fast · 回答中途断开（20 个 token 后） · 剩 1 次". */
export function describeModelFault(fault: ModelFault): string {
  let kind = MODEL_FAULT_NAMES[fault.kind] ?? fault.kind;
  if (fault.kind === 'cut_mid_stream' && fault.afterTokens !== undefined) {
    kind += `（${fault.afterTokens} 个 token 后）`;
  }
  const uses = fault.remaining === null ? '持续生效' : `剩 ${fault.remaining} 次`;
  return `${fault.model ?? '所有模型'} · ${kind} · ${uses}`;
}

/** One line of the armed list. */
export interface ArmedLine {
  key: string;
  /** Where it applies: "支付回调", "支付回调 · 订单 …" or "模型". */
  scope: string;
  text: string;
}

/** The armed list as lines: the global notification fault, per-order ones, then model faults. */
export function armedLines(armed: ArmedFaults): ArmedLine[] {
  const lines: ArmedLine[] = [];
  const { global, orders } = armed.payment;
  if (global) lines.push({ key: 'pay:global', scope: '支付回调', text: describePaymentFault(global) });
  for (const [orderId, fault] of Object.entries(orders)) {
    lines.push({
      key: `pay:${orderId}`,
      scope: `支付回调 · 订单 ${orderId}`,
      text: describePaymentFault(fault),
    });
  }
  for (const fault of armed.model) {
    lines.push({ key: `model:${fault.id}`, scope: '模型', text: describeModelFault(fault) });
  }
  return lines;
}

/** Whether what `drill` arms is all still armed (a consumed `once`/`count` fault is gone from the lists). */
export function isDrillArmed(drill: Drill, armed: ArmedFaults): boolean {
  if (drill.payment) {
    const global = armed.payment.global;
    if (!global || !sameFields(drill.payment, global)) return false;
  }
  if (drill.model) {
    const remaining = [...armed.model];
    for (const spec of drill.model) {
      const index = remaining.findIndex(
        (fault) =>
          fault.kind === spec.kind &&
          fault.model === spec.model &&
          // A fault for the next N requests and one that lasts until cleared are different drills.
          (spec.count === undefined) === (fault.remaining === null) &&
          (spec.afterTokens === undefined || fault.afterTokens === spec.afterTokens),
      );
      if (index < 0) return false;
      remaining.splice(index, 1);
    }
  }
  return drill.payment !== undefined || drill.model !== undefined;
}

function sameFields(a: PaymentFault, b: PaymentFault): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof PaymentFault)[]);
  return [...keys].every((key) => a[key] === b[key]);
}
