import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { z } from 'zod';
import { CreateSessionRequestSchema, CreateSessionResponseSchema } from '@tokentill/shared-types';
import type { TestServer } from '../support/test-server';
import { expectApiAnswer, hasPoisonedKeys, requestJson } from './api-oracle';
import type { FuzzTarget } from './fuzz-runner';
import { expectAlive } from './fuzz-server';
import { hostileJson } from './hostile-values';
import { rawRequest, type RawHeader } from './raw-http';
import {
  auth,
  authHeaders,
  buildField,
  buildJsonBody,
  contentType,
  fieldValue,
  jsonBody,
  type Auth,
  type FieldValue,
  type JsonBody,
} from './request-parts';

/** A login code: hostile text or JSON (`value`), or a fresh code no one presented before (`fresh`). */
type Code = { value: FieldValue } | { fresh: true };

interface SessionFields {
  code?: Code;
  extra?: Record<string, unknown>;
}

type SessionCase =
  | { route: 'login'; body: JsonBody<SessionFields>; contentType: string | null }
  | { route: 'logout'; auth: Auth };

const code: fc.Arbitrary<Code> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ fresh: true as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      value: fieldValue([
        '',
        'a',
        'invalid',
        'invalid-code',
        '.',
        'x.y',
        'a'.repeat(128),
        'a'.repeat(129),
        '\u0000',
        '\uD800',
      ]),
    }),
  },
);

const sessionCase: fc.Arbitrary<SessionCase> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      route: fc.constant('login' as const),
      body: jsonBody(
        fc.record(
          {
            code,
            extra: fc.dictionary(fc.constantFrom('openid', 'appid', 'token', '__proto__'), hostileJson, {
              maxKeys: 2,
            }),
          },
          { requiredKeys: [] },
        ),
      ),
      contentType,
    }),
  },
  { weight: 1, arbitrary: fc.record({ route: fc.constant('logout' as const), auth }) },
);

/** Whether a request body is a login request the API documents (a code of 1–128 characters). */
const isLoginRequest = (body: unknown) => CreateSessionRequestSchema.safeParse(body).success;

/** Cases in CI (FUZZ_CASES overrides it). */
export const SESSION_CI_CASES = 300;

/**
 * `POST /api/session` (login with a wx.login code) and `DELETE /api/session` under fuzz. Codes are single-use, so
 * a code the fuzzer repeats is refused like WeChat refuses a used one; fresh codes must log in. Oracle: the API
 * contract of every answer (api-oracle.ts), a session only for a well-formed request, and a fresh well-formed
 * code always logging in.
 */
export function sessionTarget(server: TestServer): FuzzTarget<SessionCase> {
  const buildFields = (fields: SessionFields): Record<string, unknown> => ({
    ...fields.extra,
    // A fresh code per case: "<identity>.<nonce>", the sandbox's form of a real wx.login code.
    ...(fields.code === undefined
      ? {}
      : { code: 'fresh' in fields.code ? `fuzz.${randomUUID()}` : buildField(fields.code.value) }),
  });
  return {
    name: 'session',
    testFile: 'test/fuzz/session.test.ts',
    ciCases: SESSION_CI_CASES,
    input: sessionCase,
    async run(c) {
      if (c.route === 'logout') {
        const res = await rawRequest(server.url, {
          method: 'DELETE',
          path: '/api/session',
          headers: authHeaders(c.auth, `fuzz-${randomUUID()}`),
        });
        expectApiAnswer(res, z.unknown(), 'DELETE /api/session');
        return;
      }
      const body = buildJsonBody(c.body, buildFields);
      const headers: RawHeader[] = c.contentType === null ? [] : [['Content-Type', c.contentType]];
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: '/api/session',
        headers,
        ...(body ? { body } : {}),
      });
      expectApiAnswer(res, CreateSessionResponseSchema, 'POST /api/session');
      const request = requestJson(body);
      const wellFormed = isLoginRequest(request) && !hasPoisonedKeys(body as Buffer);
      if (res.status === 200 && !wellFormed)
        throw new Error('logged in with a request that is not a valid login');
      const fresh =
        c.body.kind === 'fields' && c.body.fields.code !== undefined && 'fresh' in c.body.fields.code;
      if (fresh && wellFormed && c.contentType === 'application/json' && res.status !== 200) {
        throw new Error(
          `refused a fresh, valid code with ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`,
        );
      }
    },
    checkpoint: () => expectAlive(server.url),
  };
}
