import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  isSandboxProvider,
  loadCatalog,
  providersMissingKeys,
  realProviders,
  type Catalog,
} from './catalog/index.js';
import { parseRedisUrl } from './redis/redis-url.js';

/**
 * Server configuration. This is the only module that reads `process.env`: everything else receives the frozen
 * object `loadConfig` returns. Every setting is documented in `.env.example` at the repository root.
 *
 * Secrets may be given inline or as a `<NAME>_FILE` path (Docker/Kubernetes secrets); the file wins.
 */

const SECRET_SETTINGS = [
  'WECHAT_APPSECRET',
  'WXPAY_APIV3_KEY',
  'OPENID_HMAC_SECRET',
  'METRICS_TOKEN',
  // Virtual payment (xpay) and the message push.
  'XPAY_APP_KEY',
  'XPAY_SANDBOX_APP_KEY',
  'WECHAT_PUSH_TOKEN',
  'WECHAT_PUSH_AES_KEY',
  // Its password, when it has one.
  'DATABASE_URL',
] as const;

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'expected 1 or 0 (or true/false)' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const port = z.coerce
  .number({ message: 'expected a TCP port number' })
  .int('expected a whole number')
  .min(0, 'expected 0..65535 (0 = any free port)')
  .max(65535, 'expected 0..65535 (0 = any free port)');

const positiveMs = z.coerce.number({ message: 'expected milliseconds' }).int().positive('expected > 0 ms');

const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** TCP port the API (and /ws) listens on. 0 picks a free port (tests). */
  PORT: port.default(3000),
  /** Interface to bind. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Reverse proxies in front of the server, each appending the address it saw to X-Forwarded-For: the client's
   * address (per-address login limit) is read that many entries from the header's end. 0 = no proxy, the header is
   * ignored and the connection's peer address counts.
   */
  TRUST_PROXY: z.coerce
    .number({ message: 'expected the number of reverse proxies in front of the server (0 = none)' })
    .int('expected a whole number of proxies')
    .min(0, 'expected 0 or more proxies')
    .max(10, 'expected at most 10 proxies')
    .default(0),
  /** Public base URL of this server; notify URLs are built from it. Sandbox default: the URL it listens on. */
  PUBLIC_BASE_URL: httpUrl.optional(),
  /**
   * Where Redis is: `redis://host:port` (one node; `rediss://` for TLS) or `redis+cluster://host:port,host:port,…`
   * (a Redis Cluster of Redis 7+, by a few of its nodes; `rediss+cluster://` for TLS). See redis/redis-url.ts.
   */
  REDIS_URL: z
    .string()
    .superRefine((url, ctx) => {
      const parsed = parseRedisUrl(url);
      if (!('problems' in parsed)) return;
      for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
    })
    .default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key this deployment writes, so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/, 'expected letters, digits, ":", "_" or "-"')
    .default('tt:'),
  /** PostgreSQL 14+ holding the ledger (orders, payments, refunds, spend, journal): the system of record. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .default('postgres://postgres@127.0.0.1:5432/postgres'),
  /** Schema of the ledger's tables, so several deployments (or test files) can share one database. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier (letters, digits, "_")')
    .default('tokentill'),
  /** Connections one process holds to PostgreSQL at most (each ledger write borrows one for a few ms). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Years the ledger keeps money records (orders, payments, refunds, spend, journal) before deleting them. */
  LEDGER_RETENTION_YEARS: z.coerce.number().int().min(1).max(30).default(5),
  /** Days the ledger keeps an order's prompt and answer text; then the text is erased, the money facts stay. */
  LEDGER_TEXT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** A paid, unsettled order the ledger knows is checked against Redis once it has been quiet this long. */
  LEDGER_HEAL_AFTER_MS: positiveMs.default(60_000),
  /** A paid order Redis lost is answered if it was paid this recently, else refunded. */
  LEDGER_HEAL_ANSWER_WITHIN_MS: positiveMs.default(30 * 60_000),
  /** How often the background work checks whether yesterday's WeChat Pay bills are due for reconciliation. */
  BILL_RECONCILE_CHECK_MS: positiveMs.default(10 * 60_000),
  /**
   * 1 = embedded sandboxes (WeChat Pay/WeChat API emulator, mock model). Default 0 (live): the sandbox marks any
   * order paid on request, so it only runs when asked for, and never in production (see SANDBOX_ALLOW_UNSAFE).
   */
  SANDBOX: booleanFlag.optional(),
  /** 1 = let SANDBOX=1 run despite NODE_ENV=production, live WeChat credentials or real providers (a deliberate demo). */
  SANDBOX_ALLOW_UNSAFE: booleanFlag.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a SIGTERM/SIGINT waits for in-flight requests before closing them. */
  SHUTDOWN_TIMEOUT_MS: positiveMs.default(10_000),
  /** Port of the private Prometheus listener (GET /metrics); unset = metrics not served. Never the public port. */
  METRICS_PORT: port.optional(),
  /** Interface of the metrics listener: loopback by default, so only this host (or a sidecar) can scrape it. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token the metrics listener requires (Authorization: Bearer …); needed to bind it beyond loopback live. */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters of random secret').optional(),
  WECHAT_APPID: z
    .string()
    .regex(/^wx[0-9a-f]{16}$/, 'expected a Mini Program appid like wx0123456789abcdef')
    .optional(),
  WECHAT_APPSECRET: z.string().min(1).optional(),
  /** WeChat server API base. Live default https://api.weixin.qq.com; sandbox default the embedded emulator. */
  WECHAT_API_BASE: httpUrl.optional(),
  WXPAY_MCHID: z
    .string()
    .regex(/^\d{8,12}$/, 'expected the numeric merchant id (mchid)')
    .optional(),
  /** WeChat Pay APIv3 base. Live default https://api.mch.weixin.qq.com; sandbox default the embedded emulator. */
  WXPAY_API_BASE: httpUrl.optional(),
  /** Serial number of the merchant API certificate (商户API证书序列号), hex. */
  WXPAY_MERCHANT_SERIAL: z
    .string()
    .regex(/^[0-9A-Fa-f]{8,64}$/, 'expected the merchant certificate serial number in hex')
    .optional(),
  /** Path of the merchant API private key (apiclient_key.pem). */
  WXPAY_MERCHANT_KEY_FILE: z.string().min(1).optional(),
  /** The APIv3 key set in the merchant platform: exactly 32 bytes. */
  WXPAY_APIV3_KEY: z
    .string()
    .refine((v) => Buffer.byteLength(v) === 32, 'expected exactly 32 bytes (the APIv3 key)')
    .optional(),
  /** WeChat Pay public-key mode: the key id (PUB_KEY_ID_…) and the public key file (pub_key.pem). */
  WXPAY_PUBLIC_KEY_ID: z
    .string()
    .regex(/^PUB_KEY_ID_\d+$/, 'expected an id like PUB_KEY_ID_0114232134912410000000000000')
    .optional(),
  WXPAY_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** Platform-certificate mode (legacy, and during a migration): comma-separated certificate PEM paths. */
  WXPAY_PLATFORM_CERT_FILES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .optional(),
  /** Virtual payment (xpay): the offer id (mp → 虚拟支付 → 基础配置). Only its shape is checked here. */
  XPAY_OFFER_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected the offerId of mp → 虚拟支付 → 基础配置, e.g. 1450593228')
    .optional(),
  /** Virtual payment: the production AppKey (现网AppKey), which signs env 0. */
  XPAY_APP_KEY: z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/, 'expected the 现网AppKey as shown in the console (no spaces)')
    .optional(),
  /** Virtual payment: the sandbox AppKey (沙箱AppKey), which signs env 1. */
  XPAY_SANDBOX_APP_KEY: z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/, 'expected the 沙箱AppKey as shown in the console (no spaces)')
    .optional(),
  /** Virtual payment env of new orders: 0 production (real money), 1 sandbox (开发版/体验版 only). */
  XPAY_ENV: z
    .enum(['0', '1'], { message: 'expected 0 (production) or 1 (sandbox)' })
    .transform((v) => (v === '1' ? 1 : 0) as 0 | 1)
    .optional(),
  /** Message push (mp → 开发管理 → 消息推送): the Token, 3–32 letters or digits. */
  WECHAT_PUSH_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'expected the push Token: 3–32 letters or digits')
    .optional(),
  /** Message push: the EncodingAESKey (safe and compatible mode), 43 characters. */
  WECHAT_PUSH_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'expected the 43-character EncodingAESKey')
    .optional(),
  OPENID_HMAC_SECRET: z.string().min(32, 'expected at least 32 characters of random secret').optional(),
  /** Lifetime of a login session. */
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  /** WebSockets one user may hold on one instance; a new one beyond it closes the user's oldest (4409). */
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long a user has to pay an order (WeChat Pay time_expire; WeChat's minimum is 60 s). */
  ORDER_PAY_WINDOW_SECONDS: z.coerce.number().int().min(60).max(7200).default(900),
  /** Orders one user may create per minute. */
  ORDERS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** Unpaid orders one user may hold at once (at the cap a new order closes the oldest unpaid one first). */
  MAX_UNPAID_ORDERS: z.coerce.number().int().positive().default(3),
  /** Payment confirmations (POST /api/orders/:id/confirm) one user may ask for per minute. */
  CONFIRMS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Least time between two WeChat Pay queries confirmations make for one order; others answer the state as is. */
  CONFIRM_QUERY_INTERVAL_MS: positiveMs.default(3_000),
  /** Logins (POST /api/session) one client address may attempt per minute. Loopback peers are not counted. */
  LOGINS_PER_IP_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** How long order records are kept in Redis. */
  ORDER_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  /** How often the reconciler looks for payments and refunds to follow up. */
  RECONCILE_INTERVAL_MS: positiveMs.default(1_000),
  /** 1 = this process also runs the background work (reconciler, and the inference worker); 0 = API only. */
  IN_PROCESS_WORKER: booleanFlag.default(true),
  /** Orders one worker process generates at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().max(1000).default(32),
  /** A worker silent for this long is presumed dead and its order handed to another worker (BullMQ lock). */
  WORKER_LOCK_MS: positiveMs.default(30_000),
  /** Generation attempts one paid order may use (a worker dying mid-answer spends one); then it is refunded. */
  GENERATION_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** How long an order may sit in one non-final state before the recovery sweep checks it has a next step. */
  RECOVERY_AFTER_MS: positiveMs.default(60_000),
  /** An order in one non-final state for longer than this is logged as stuck and counted in the metrics. */
  STUCK_ORDER_WARN_MS: positiveMs.default(15 * 60_000),
  /** Path of the tiers/models/providers file (JSON). Default: config/tokentill.sandbox.json (mock models). */
  TOKENTILL_CONFIG: z.string().min(1).optional(),
  /** Subscribe message "your answer is ready": template id from mp.weixin.qq.com; unset = off (sandbox: on). */
  SUBSCRIBE_TEMPLATE_ID: z.string().min(1).optional(),
  /** Template key → content, JSON: sources prompt, answer, tier, completedAt, price, status. */
  SUBSCRIBE_TEMPLATE_DATA: z
    .string()
    .transform((text, ctx) => {
      try {
        return z
          .record(
            z.string().regex(/^[a-z_]+\d+$/),
            z.enum(['prompt', 'answer', 'tier', 'completedAt', 'price', 'status']),
          )
          .parse(JSON.parse(text));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'expected JSON like {"thing1":"prompt","thing2":"answer","time3":"completedAt"}',
        });
        return z.NEVER;
      }
    })
    .default({ thing1: 'prompt', thing2: 'answer', time3: 'completedAt' }),
  /** Which version of the Mini Program a subscribe message opens. */
  MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
  /** The Mini Program's H5 build, served at / in sandbox mode (the browser version of the app). */
  H5_DIR: z
    .string()
    .min(1)
    .default(join(__dirname, '..', '..', 'miniprogram', 'dist-h5')),
  /** Where the sandbox keeps its generated keys (merchant and platform key pairs, APIv3 key). */
  SANDBOX_KEYS_DIR: z.string().min(1).default('.sandbox'),
  /** The sandbox mock model's pace: time to first token and tokens per second (a believable stream by default). */
  SANDBOX_MODEL_TTFT_MS: z.coerce.number().int().min(0).default(400),
  SANDBOX_MODEL_TOKENS_PER_SECOND: z.coerce.number().positive().default(30),
  /** Factor applied to WeChat Pay's notification retry schedule in the sandbox (1 = real 15 s, 15 s, 30 s, …). */
  SANDBOX_NOTIFY_SCALE: z.coerce.number({ message: 'expected a number' }).positive('expected > 0').default(1),
});

export type Env = z.infer<typeof EnvSchema>;

/** Every setting the server reads (each is documented in .env.example). */
export const SETTING_NAMES = Object.keys(EnvSchema.shape) as (keyof Env)[];

export interface Config extends Env {
  readonly SANDBOX: boolean;
  /** Tiers, models and providers from TOKENTILL_CONFIG, with provider API keys resolved. */
  readonly catalog: Catalog;
}

/** The shipped sandbox catalog; server/src and server/dist are both two levels below the repository root. */
export const DEFAULT_CATALOG_PATH = join(__dirname, '..', '..', 'config', 'tokentill.sandbox.json');

const LIVE_DEFAULTS = {
  WECHAT_API_BASE: 'https://api.weixin.qq.com',
  WXPAY_API_BASE: 'https://api.mch.weixin.qq.com',
} as const;

const LIVE_REQUIRED = [
  'PUBLIC_BASE_URL',
  'WECHAT_APPID',
  'WECHAT_APPSECRET',
  'WXPAY_MCHID',
  'WXPAY_MERCHANT_SERIAL',
  'WXPAY_MERCHANT_KEY_FILE',
  'WXPAY_APIV3_KEY',
  'OPENID_HMAC_SECRET',
] as const;

/** Live settings whose presence means this deployment is wired to a real Mini Program or merchant. */
const LIVE_CREDENTIALS = [
  'WECHAT_APPID',
  'WECHAT_APPSECRET',
  'WXPAY_MCHID',
  'WXPAY_MERCHANT_SERIAL',
  'WXPAY_MERCHANT_KEY_FILE',
  'WXPAY_APIV3_KEY',
  'WXPAY_PUBLIC_KEY_ID',
  'WXPAY_PUBLIC_KEY_FILE',
  'WXPAY_PLATFORM_CERT_FILES',
] as const;

/** What overrides every refusal of `sandboxProblems`, named in each of its messages. */
const SANDBOX_OVERRIDE = 'set SANDBOX_ALLOW_UNSAFE=1 only for a deliberate demo';

/**
 * Why SANDBOX=1 must not run here. The sandbox marks any order paid on request (POST /sandbox/pay), so in
 * production, next to a real merchant, or with real (paid) models it would hand out answers for nothing.
 */
function sandboxProblems(values: Env, catalog: Catalog | undefined): string[] {
  if (values.SANDBOX_ALLOW_UNSAFE) return [];
  const problems: string[] = [];
  const why = 'the sandbox marks any order paid on request (POST /sandbox/pay)';
  if (values.NODE_ENV === 'production') {
    problems.push(
      `SANDBOX: SANDBOX=1 with NODE_ENV=production: ${why}; unset SANDBOX to run live, or ${SANDBOX_OVERRIDE}`,
    );
  }
  const credentials = LIVE_CREDENTIALS.filter((name) => values[name] !== undefined);
  if (credentials.length > 0) {
    problems.push(
      `SANDBOX: SANDBOX=1 but live WeChat credentials are set (${credentials.join(', ')}): ${why}, not through ` +
        `that merchant; unset SANDBOX to run live, unset those to use the sandbox, or ${SANDBOX_OVERRIDE}`,
    );
  }
  const real = catalog ? realProviders(catalog).map((p) => p.id) : [];
  if (real.length > 0) {
    problems.push(
      `SANDBOX: SANDBOX=1 but TOKENTILL_CONFIG names real providers (${real.join(', ')}): ${why}, so their paid ` +
        `models would answer for free; use a catalog of "sandbox" providers (the default), or ${SANDBOX_OVERRIDE}`,
    );
  }
  return problems;
}

/** Cross-setting rules the schema cannot express on one field. */
function liveProblems(values: Env, catalog: Catalog | undefined): string[] {
  const problems: string[] = [];
  for (const name of LIVE_REQUIRED) {
    if (values[name] === undefined) problems.push(`${name}: required in live mode (SANDBOX unset or 0)`);
  }
  if (problems.length > 0 && values.SANDBOX === undefined) {
    problems.unshift(
      'SANDBOX: not set, so the server runs in live mode against the real WeChat endpoints and needs the ' +
        'settings below; set SANDBOX=1 to run the embedded sandboxes (WeChat Pay and WeChat API emulators, ' +
        'mock model) for development',
    );
  }
  if (values.PUBLIC_BASE_URL !== undefined && !values.PUBLIC_BASE_URL.startsWith('https://')) {
    problems.push(
      `PUBLIC_BASE_URL: WeChat Pay only calls https notify URLs in live mode (got ${values.PUBLIC_BASE_URL})`,
    );
  }
  const publicKeyMode =
    values.WXPAY_PUBLIC_KEY_ID !== undefined || values.WXPAY_PUBLIC_KEY_FILE !== undefined;
  if (
    publicKeyMode &&
    (values.WXPAY_PUBLIC_KEY_ID === undefined || values.WXPAY_PUBLIC_KEY_FILE === undefined)
  ) {
    problems.push(
      'WXPAY_PUBLIC_KEY_ID: set together with WXPAY_PUBLIC_KEY_FILE (public-key mode needs both)',
    );
  }
  if (!publicKeyMode && (values.WXPAY_PLATFORM_CERT_FILES ?? []).length === 0) {
    problems.push(
      'WXPAY_PUBLIC_KEY_ID: required in live mode, with WXPAY_PUBLIC_KEY_FILE (or WXPAY_PLATFORM_CERT_FILES ' +
        'in certificate mode; both during a migration) to verify WeChat Pay callbacks',
    );
  }
  const carries = {
    WECHAT_API_BASE: 'the AppSecret and session keys',
    WXPAY_API_BASE: 'signed payment requests and their answers',
  } as const;
  for (const name of ['WECHAT_API_BASE', 'WXPAY_API_BASE'] as const) {
    const value = values[name];
    if (value !== undefined && !value.startsWith('https://')) {
      problems.push(
        `${name}: expected an https URL in live mode (${carries[name]} would travel in clear over http); ` +
          `unset it for ${LIVE_DEFAULTS[name]}`,
      );
    }
  }
  const mock = catalog ? [...catalog.providers.values()].filter(isSandboxProvider) : [];
  if (mock.length > 0) {
    const named = mock.map((p) => `"${p.id}"`).join(', ');
    problems.push(
      `TOKENTILL_CONFIG: ${mock.length > 1 ? `providers ${named} use` : `provider ${named} uses`} baseURL ` +
        `"sandbox" (the embedded mock model), which only runs with SANDBOX=1; every paid order would be refunded. Point ` +
        `TOKENTILL_CONFIG at a catalog of real providers (see config/tokentill.example.json)`,
    );
  }
  if (values.METRICS_PORT !== undefined && !isLoopback(values.METRICS_HOST) && !values.METRICS_TOKEN) {
    problems.push(
      `METRICS_TOKEN: required in live mode when METRICS_HOST (${values.METRICS_HOST}) is not a loopback ` +
        'address, or anyone who reaches the port reads payment counts; set it (Prometheus: authorization ' +
        'credentials) or bind METRICS_HOST=127.0.0.1',
    );
  }
  return problems;
}

/** Each real provider whose API-key variable is unset, by that variable's name. */
function providerKeyProblems(catalog: Catalog, path: string): string[] {
  return providersMissingKeys(catalog).map(
    (p) =>
      `${p.apiKeyEnv}: required by provider "${p.id}" of ${path} (its apiKeyEnv); without it every answer from ` +
      'its models would fail and each paid order be refunded',
  );
}

/** Where metrics are served: only on their own listener, so the settings must agree with each other. */
function metricsProblems(values: Env): string[] {
  const problems: string[] = [];
  if (values.METRICS_TOKEN !== undefined && values.METRICS_PORT === undefined) {
    problems.push('METRICS_TOKEN: set, but metrics are only served when METRICS_PORT is set too');
  }
  if (values.METRICS_PORT !== undefined && values.METRICS_PORT !== 0 && values.METRICS_PORT === values.PORT) {
    problems.push(`METRICS_PORT: must differ from PORT (${values.PORT}): metrics stay off the public port`);
  }
  return problems;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A setting that is missing or malformed. The message names each setting and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every setting.`,
    );
  }
}

/** Reads `<NAME>_FILE` secrets into `<NAME>` so the schema sees one value per setting. */
function resolveSecretFiles(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of SECRET_SETTINGS) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    try {
      resolved[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  // An empty variable means "not set" (the usual shell habit `FOO=`), not an empty value.
  for (const [key, value] of Object.entries(resolved)) if (value === '') resolved[key] = undefined;
  return resolved;
}

/** Parses and validates the environment once. Throws `ConfigError` listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];
  const raw = resolveSecretFiles(env, problems);
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      problems.push(
        `${name}: ${issue.message}${raw[name] === undefined ? '' : ` (got ${JSON.stringify(redactIfSecret(name, raw[name]))})`}`,
      );
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const values = parsed.data;
  // Live unless asked: a forgotten setting must never turn payments into a formality.
  const sandbox = values.SANDBOX ?? false;
  const catalogPath = values.TOKENTILL_CONFIG ?? DEFAULT_CATALOG_PATH;
  // Each generation attempt may walk a tier's whole chain again: the price check bounds them all.
  const catalog = loadCatalog(catalogPath, raw, { generationAttempts: values.GENERATION_ATTEMPTS });
  const loaded = 'catalog' in catalog ? catalog.catalog : undefined;
  problems.push(...(sandbox ? sandboxProblems(values, loaded) : liveProblems(values, loaded)));
  problems.push(...metricsProblems(values));
  if ('problems' in catalog) problems.push(...catalog.problems.map((p) => `TOKENTILL_CONFIG: ${p}`));
  else problems.push(...providerKeyProblems(catalog.catalog, catalogPath));
  if (problems.length > 0 || 'problems' in catalog) throw new ConfigError(problems);

  return Object.freeze({
    ...values,
    SANDBOX: sandbox,
    catalog: catalog.catalog,
    PUBLIC_BASE_URL: values.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    // Live mode talks to WeChat unless told otherwise; the sandbox resolves its bases once it listens.
    WECHAT_API_BASE: values.WECHAT_API_BASE ?? (sandbox ? undefined : LIVE_DEFAULTS.WECHAT_API_BASE),
    WXPAY_API_BASE: values.WXPAY_API_BASE ?? (sandbox ? undefined : LIVE_DEFAULTS.WXPAY_API_BASE),
  });
}

function redactIfSecret(name: string, value: string | undefined): string | undefined {
  return (SECRET_SETTINGS as readonly string[]).includes(name) ? '[redacted]' : value;
}

/** The ledger's settings alone, for `npm run migrate`, which needs none of the WeChat or model settings. */
export function loadDatabaseConfig(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Pick<Env, 'DATABASE_URL' | 'DATABASE_SCHEMA'>> {
  const problems: string[] = [];
  const raw = resolveSecretFiles(env, problems);
  const parsed = EnvSchema.pick({ DATABASE_URL: true, DATABASE_SCHEMA: true }).safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      problems.push(`${name}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze(parsed.data);
}
