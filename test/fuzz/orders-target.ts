import fc from 'fast-check';
import { z } from 'zod';
import {
  ConfirmOrderResponseSchema,
  CreateOrderRequestSchema,
  CreateOrderResponseSchema,
  OrderListResponseSchema,
  OrderViewSchema,
} from '@tokentill/shared-types';
import { newOrderId } from '../../server/src/orders/order-id';
import { createOrder, login } from '../support/api-client';
import type { TestServer } from '../support/test-server';
import { expectApiAnswer, hasPoisonedKeys, requestJson } from './api-oracle';
import type { FuzzTarget } from './fuzz-runner';
import { expectAlive } from './fuzz-server';
import { buildText, textRecipe, type TextRecipe } from './hostile-values';
import { jsonOf, rawRequest, type RawHeader, type RawResponse } from './raw-http';
import {
  auth,
  authHeaders,
  buildField,
  buildJsonBody,
  contentType,
  encodeSegment,
  encoding,
  fieldValue,
  jsonBody,
  type Auth,
  type Encoding,
  type FieldValue,
  type JsonBody,
} from './request-parts';

/** Which order an id names: one of the user's, another user's, an unknown one, or not an id at all. */
type IdRecipe =
  | { kind: 'own'; pick: number }
  | { kind: 'other-user' }
  | { kind: 'unknown' }
  | { kind: 'text'; text: TextRecipe }
  | { kind: 'literal'; value: string };

/** A query value as typed, or hostile text (as a recipe: it may be long). */
type QueryValue = { value: string } | { text: TextRecipe };

type Query =
  | { kind: 'none' }
  | { kind: 'after'; values: QueryValue[]; how: Encoding }
  | { kind: 'text'; text: TextRecipe };

interface CreateFields {
  prompt?: FieldValue;
  tier?: FieldValue;
  extra?: Record<string, unknown>;
}

type OrdersCase =
  | { route: 'create'; body: JsonBody<CreateFields>; contentType: string | null; auth: Auth }
  | { route: 'get'; id: IdRecipe; how: Encoding; query: Query; auth: Auth }
  | { route: 'confirm'; id: IdRecipe; how: Encoding; body: JsonBody<CreateFields>; auth: Auth }
  | { route: 'list'; query: Query; auth: Auth };

const TIERS = ['basic', 'pro'] as const;

const idRecipe: fc.Arbitrary<IdRecipe> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('own' as const), pick: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'other-user' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('text' as const), text: textRecipe }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('literal' as const),
      value: fc.constantFrom(
        '',
        '.',
        '..',
        '../healthz',
        '../../healthz',
        '..%2F..%2Fhealthz',
        '%2e%2e%2f%2e%2e%2fhealthz',
        '..\\..\\healthz',
        '%00',
        '%',
        '%ZZ',
        '%C0%AE%C0%AE%2F',
        '%E2%80%AE',
        'TT/../../api/orders',
        '?after=1',
        '#frag',
        ';jsessionid=1',
        '/',
        '//',
        'TT' + 'A'.repeat(62),
        'TT' + 'A'.repeat(63),
        'A'.repeat(10_000),
        'tt0000000000000000000000000',
        'TT00000000|*0000000000000000',
      ),
    }),
  },
);

const afterValue: fc.Arbitrary<QueryValue> = fc.oneof(
  fc.record({ value: fc.integer({ min: -10, max: 1_000 }).map(String) }),
  fc.record({
    value: fc.constantFrom(
      '-1',
      '-0',
      'NaN',
      'Infinity',
      '-Infinity',
      '1e400',
      '1e21',
      '9007199254740993',
      '99999999999999999999999',
      '0x10',
      '0b1',
      '0o7',
      '1.5',
      '',
      ' 1',
      '1 ',
      '+1',
      '00',
      'null',
      'true',
      '[]',
      '{}',
      '1,2',
    ),
  }),
  fc.record({ text: textRecipe }),
);

const query: fc.Arbitrary<Query> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('after' as const),
      values: fc.array(afterValue, { minLength: 1, maxLength: 3 }),
      how: encoding,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: textRecipe }) },
);

const createFields: fc.Arbitrary<CreateFields> = fc.record(
  {
    prompt: fieldValue([
      '用一句话解释什么是量子纠缠',
      ' ',
      '\u200B',
      'x'.repeat(2_000),
      'x'.repeat(2_001),
      '\u0000',
    ]),
    // Mostly a real tier, so that prompts reach the order service; otherwise names a lookup could trip on.
    tier: fc.oneof(
      { weight: 3, arbitrary: fc.record({ constant: fc.constantFrom(...TIERS) }) },
      {
        weight: 2,
        arbitrary: fieldValue([
          'BASIC',
          ' basic',
          'basic\u0000',
          '__proto__',
          'constructor',
          'toString',
          'x'.repeat(65),
          '',
        ]),
      },
    ),
    extra: fc.dictionary(
      fc.constantFrom('userId', 'priceFen', 'state', '__proto__', 'orderId', 'openid'),
      fc.jsonValue({ maxDepth: 1 }),
      {
        maxKeys: 2,
      },
    ),
  },
  { requiredKeys: [] },
);

const ordersCase: fc.Arbitrary<OrdersCase> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      route: fc.constant('create' as const),
      body: jsonBody(createFields),
      contentType,
      auth,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ route: fc.constant('get' as const), id: idRecipe, how: encoding, query, auth }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      route: fc.constant('confirm' as const),
      id: idRecipe,
      how: encoding,
      body: jsonBody(createFields),
      auth,
    }),
  },
  { weight: 1, arbitrary: fc.record({ route: fc.constant('list' as const), query, auth }) },
);

function buildCreateFields(fields: CreateFields): Record<string, unknown> {
  return {
    ...fields.extra,
    ...(fields.prompt === undefined ? {} : { prompt: buildField(fields.prompt) }),
    ...(fields.tier === undefined ? {} : { tier: buildField(fields.tier) }),
  };
}

function queryString(q: Query): string {
  if (q.kind === 'none') return '';
  if (q.kind === 'text') return `?${encodeSegment(buildText(q.text), 'raw')}`;
  return `?${q.values.map((v) => `after=${encodeSegment('text' in v ? buildText(v.text) : v.value, q.how)}`).join('&')}`;
}

/** Whether an Authorization header carries the token as HTTP allows it (scheme in any case, any spacing). */
function authenticates(a: Auth): boolean {
  return (
    a.kind === 'token' ||
    (a.kind === 'token-variant' && (a.variant === 'lower-scheme' || a.variant === 'extra-space'))
  );
}

type Route = 'create' | 'list' | 'get' | 'confirm' | 'none';

/**
 * The route a request reaches. A raw id may carry "/", "?" or "#" (the server ends the path at "?" and "#"), and
 * the router takes a trailing slash as none: `POST /api/orders/#x/confirm` is a creation, `GET /api/orders/?x`
 * the list.
 */
function routeSeen(method: string, path: string): Route {
  const pathname = path.split(/[?#]/)[0] ?? '';
  if (/^\/api\/orders\/?$/.test(pathname)) return method === 'POST' ? 'create' : 'list';
  if (/^\/api\/orders\/[^/]+\/confirm\/?$/.test(pathname)) return method === 'POST' ? 'confirm' : 'none';
  if (/^\/api\/orders\/[^/]+\/?$/.test(pathname)) return method === 'GET' ? 'get' : 'none';
  return 'none';
}

/** The documented 2xx body of each route; a request that reaches none must not succeed. */
const RESPONSES: Record<Route, z.ZodType> = {
  create: CreateOrderResponseSchema,
  list: OrderListResponseSchema,
  get: OrderViewSchema,
  confirm: ConfirmOrderResponseSchema,
  none: z.never(),
};

/** Cases in CI (FUZZ_CASES overrides it). */
export const ORDERS_CI_CASES = 300;

/**
 * `POST /api/orders`, `GET /api/orders/:id?after=N`, `POST /api/orders/:id/confirm` and `GET /api/orders` under
 * fuzz, as a logged-in user with real orders (and another user with one). Oracle: every answer keeps the API
 * contract (api-oracle.ts); a 2xx needs a valid session, and an order id is served only to its owner; a
 * well-formed order request with a known tier is created (201), and a malformed one never is.
 */
export async function ordersTarget(server: TestServer): Promise<FuzzTarget<OrdersCase>> {
  const token = await login(server.url, 'fuzz-buyer');
  const own = [
    (await createOrder(server.url, token)).orderId,
    (await createOrder(server.url, token)).orderId,
  ];
  const othersOrder = (await createOrder(server.url, await login(server.url, 'fuzz-other'))).orderId;

  const idOf = (id: IdRecipe): string => {
    switch (id.kind) {
      case 'own':
        return own[id.pick % own.length] as string;
      case 'other-user':
        return othersOrder;
      case 'unknown':
        return newOrderId();
      case 'text':
        return buildText(id.text);
      case 'literal':
        return id.value;
    }
  };

  /** The request of a case: method, path as sent (a raw id may hold "/", "?" or "#"), headers and body. */
  function requestOf(c: OrdersCase): { method: string; path: string; headers: RawHeader[]; body?: Buffer } {
    const headers = authHeaders(c.auth, token);
    switch (c.route) {
      case 'create': {
        const body = buildJsonBody(c.body, buildCreateFields);
        if (c.contentType !== null) headers.push(['Content-Type', c.contentType]);
        return { method: 'POST', path: '/api/orders', headers, ...(body ? { body } : {}) };
      }
      case 'get':
        return {
          method: 'GET',
          path: `/api/orders/${encodeSegment(idOf(c.id), c.how)}${queryString(c.query)}`,
          headers,
        };
      case 'confirm': {
        const body = buildJsonBody(c.body, buildCreateFields);
        if (body !== undefined) headers.push(['Content-Type', 'application/json']);
        const path = `/api/orders/${encodeSegment(idOf(c.id), c.how)}/confirm`;
        return { method: 'POST', path, headers, ...(body ? { body } : {}) };
      }
      case 'list':
        return { method: 'GET', path: `/api/orders${queryString(c.query)}`, headers };
    }
  }

  return {
    name: 'orders',
    testFile: 'test/fuzz/orders.test.ts',
    ciCases: ORDERS_CI_CASES,
    input: ordersCase,
    async run(c) {
      const request = requestOf(c);
      const res = await rawRequest(server.url, request);
      const route = routeSeen(request.method, request.path);
      expectApiAnswer(res, RESPONSES[route], `${request.method} ${route}`);
      // Remembered first: an order created by mistake is still the user's, and later cases may show it.
      if (route === 'create' && res.status === 201)
        own.push((jsonOf(res.body) as { orderId: string }).orderId);
      if (res.status < 300 && !authenticates(c.auth))
        throw new Error(`answered ${res.status} without a valid session`);
      if (res.status < 300) checkOwnership(res);
      if (c.route === 'create') checkCreation(c, request.body, res.status);
    },
    checkpoint: () => expectAlive(server.url),
  };

  /** Every order a 2xx shows is the user's own. */
  function checkOwnership(res: RawResponse): void {
    const body = jsonOf(res.body) as { orderId?: string; orders?: { orderId: string }[] };
    const shown = body.orders ? body.orders.map((o) => o.orderId) : [body.orderId];
    for (const id of shown) {
      if (id === othersOrder || !own.includes(id as string)) {
        throw new Error(`showed order "${id}", which is not the user's`);
      }
    }
  }

  /** A malformed order request is never created; a well-formed one with a known tier always is. */
  function checkCreation(
    c: Extract<OrdersCase, { route: 'create' }>,
    body: Buffer | undefined,
    status: number,
  ) {
    const request = requestJson(body);
    const wellFormed =
      authenticates(c.auth) &&
      body !== undefined &&
      !hasPoisonedKeys(body) &&
      CreateOrderRequestSchema.safeParse(request).success &&
      (TIERS as readonly string[]).includes((request as { tier: string }).tier);
    if (status === 201 && !wellFormed) throw new Error('created an order from a request that is not valid');
    if (status !== 201 && wellFormed && c.contentType === 'application/json') {
      throw new Error(`refused a valid order request with ${status}`);
    }
  }
}
