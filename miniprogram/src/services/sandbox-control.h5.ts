/**
 * The sandbox's control API, for the H5 build's sandbox panel only (components/sandbox-panel/index.h5.tsx): probe
 * for sandbox mode, arm and clear the WeChat Pay emulator's notification faults and the mock model's faults, and
 * read back what is armed. These are not TokenTill API calls, so they use the browser's `fetch` (services/http.ts
 * stays the only API caller). The weapp build never imports this module.
 *
 * Paths are relative to `TARO_APP_API_BASE`, like http.ts: empty on H5, i.e. the page's own origin, where the
 * server serves the H5 app in sandbox mode.
 */

/**
 * A WeChat Pay notification fault, the body of `POST /sandbox/faults` (server/src/sandbox/wxpay/
 * notification-faults.ts). Without `out_trade_no` it is global: it applies to the next order's notification.
 * There is one global fault at a time: arming another replaces it.
 */
export interface PaymentFault {
  /** The first attempt is sent as N identical copies at once (1–20). */
  duplicates?: number;
  /** The first attempt is sent this many milliseconds late. */
  delayMs?: number;
  /** No notification at all: the server must find out by querying. */
  drop?: boolean;
  /** The first attempt carries a signature that does not verify. */
  badSignature?: boolean;
  /** The first attempt's signature starts with `WECHATPAY/SIGNTEST/`. */
  signatureProbe?: boolean;
  /** The first attempt is signed over a timestamp 10 minutes old. */
  staleTimestamp?: boolean;
  /** The notified amount is one fen off, on every attempt. */
  wrongAmount?: boolean;
  /** Consumed by the next notification; otherwise stays until cleared. */
  once?: boolean;
}

/** What `GET /sandbox/faults` answers: the global fault and the per-order ones. */
export interface PaymentFaultList {
  global?: PaymentFault;
  orders: Record<string, PaymentFault>;
}

/** The mock model's fault kinds (server/src/mock-model/faults.ts). */
export type ModelFaultKind =
  | 'http_500'
  | 'http_429'
  | 'hang'
  | 'hang_after_headers'
  | 'cut_before_first_token'
  | 'cut_mid_stream'
  | 'slow';

/** The body of `POST /sandbox/model/faults`. */
export interface ModelFaultSpec {
  kind: ModelFaultKind;
  /** Only requests for this model id; omitted = any model. */
  model?: string;
  /** The next `count` matching requests; omitted = every request until cleared. */
  count?: number;
  /** `cut_mid_stream`: content tokens sent before the cut. */
  afterTokens?: number;
}

/** An installed model fault, as `GET /sandbox/model/faults` lists it. */
export interface ModelFault extends ModelFaultSpec {
  id: string;
  /** Uses left; null for a fault that lasts until cleared. */
  remaining: number | null;
  hits: number;
}

/** Everything armed in the sandbox. */
export interface ArmedFaults {
  payment: PaymentFaultList;
  model: ModelFault[];
}

/** A control call that was refused or could not be made; `message` is for the developer. */
export class SandboxControlError extends Error {
  override readonly name = 'SandboxControlError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function controlUrl(path: string): string {
  const base = (process.env.TARO_APP_API_BASE ?? '').replace(/\/+$/, '');
  return `${base}${path}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message of a refusal: the sandbox's `{code, message}`, the mock model's `{error:{message}}`, or the status. */
function refusalMessage(status: number, body: unknown): string {
  if (isRecord(body)) {
    if (typeof body.message === 'string') return body.message;
    if (isRecord(body.error) && typeof body.error.message === 'string') return body.error.message;
  }
  return `HTTP ${status}`;
}

/** Sends one control request; resolves with the parsed JSON body (undefined when empty), rejects on non-2xx. */
async function control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(controlUrl(path), {
      method,
      ...(body !== undefined ? { headers: JSON_HEADERS, body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new SandboxControlError(0, '连不上服务器');
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) throw new SandboxControlError(response.status, refusalMessage(response.status, parsed));
  return parsed;
}

let probe: Promise<boolean> | undefined;

/**
 * Whether the server runs in sandbox mode: `GET /sandbox/state` answers 200 with a JSON object (404 outside
 * sandbox mode). Asked once per page load; any failure counts as "no".
 */
export function sandboxAvailable(): Promise<boolean> {
  probe ??= control('GET', '/sandbox/state').then(
    (body) => isRecord(body),
    () => false,
  );
  return probe;
}

/** Forgets the probe's answer, so the next {@link sandboxAvailable} asks again (tests). */
export function forgetSandboxProbe(): void {
  probe = undefined;
}

/** Arms a global notification fault (it replaces the one armed before). */
export async function armPaymentFault(fault: PaymentFault): Promise<void> {
  await control('POST', '/sandbox/faults', fault);
}

/** Installs a mock model fault (model faults add up, taken in the order they were armed). */
export async function armModelFault(spec: ModelFaultSpec): Promise<void> {
  await control('POST', '/sandbox/model/faults', spec);
}

/** Reads back every armed fault: both lists, asked at once. */
export async function listArmedFaults(): Promise<ArmedFaults> {
  const [payment, model] = await Promise.all([
    control('GET', '/sandbox/faults'),
    control('GET', '/sandbox/model/faults'),
  ]);
  const paymentList: PaymentFaultList = {
    ...(isRecord(payment) && isRecord(payment.global) ? { global: payment.global as PaymentFault } : {}),
    orders:
      isRecord(payment) && isRecord(payment.orders) ? (payment.orders as PaymentFaultList['orders']) : {},
  };
  const modelList = isRecord(model) && Array.isArray(model.data) ? (model.data as ModelFault[]) : [];
  return { payment: paymentList, model: modelList };
}

/** A provider's circuit breaker as the server's model router sees it. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** What `GET /sandbox/breakers` answers: each provider's circuit, and whether each tier can take an order. */
export interface Breakers {
  providers: Record<string, CircuitState>;
  tiers: { id: string; title: string; available: boolean; providers: string[] }[];
}

/** The server's circuit breakers, or undefined when it has no breaker view (an older server). */
export async function readBreakers(): Promise<Breakers | undefined> {
  try {
    const body = await control('GET', '/sandbox/breakers');
    return isRecord(body) && isRecord(body.providers) && Array.isArray(body.tiers)
      ? (body as unknown as Breakers)
      : undefined;
  } catch (error) {
    if (error instanceof SandboxControlError && error.status === 404) return undefined;
    throw error;
  }
}

/** Clears every notification fault and every model fault (both DELETEs, even if one fails). */
export async function clearAllFaults(): Promise<void> {
  const results = await Promise.allSettled([
    control('DELETE', '/sandbox/faults'),
    control('DELETE', '/sandbox/model/faults'),
  ]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
