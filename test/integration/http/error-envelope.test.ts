import request from 'supertest';
import { ErrorEnvelopeSchema } from '@tokentill/shared-types';
import { buildTestApp } from '../../support/test-app';
import { useTestRedis } from '../../support/test-redis';
import { trackApps } from '../../support/track-apps';

const { redis, keys } = useTestRedis();
const track = trackApps();

describe('the error envelope over HTTP', () => {
  const agent = async () => request((await track(buildTestApp(redis, keys))).app.callback());

  it('answers an unknown route with 404 NOT_FOUND in the shared envelope', async () => {
    const res = await (await agent()).get('/api/nothing-here');
    expect(res.status).toBe(404);
    const envelope = ErrorEnvelopeSchema.parse(res.body);
    expect(envelope.error).toEqual({
      code: 'NOT_FOUND',
      message: 'No route for GET /api/nothing-here.',
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers a malformed JSON body with 400 BAD_JSON', async () => {
    const res = await (
      await agent()
    )
      .post('/api/orders')
      .set('content-type', 'application/json')
      .send('{"prompt": ');
    expect(res.status).toBe(400);
    expect(ErrorEnvelopeSchema.parse(res.body).error.code).toBe('BAD_JSON');
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await (
      await agent()
    )
      .post('/api/orders')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ prompt: 'x'.repeat(100_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a known route with the wrong method with 405 and an Allow header', async () => {
    const res = await (await agent()).delete('/healthz');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(res.headers['allow']).toContain('GET');
  });
});
