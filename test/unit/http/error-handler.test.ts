import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import request from 'supertest';
import { z } from 'zod';
import { errorHandler } from '../../../server/src/http/middleware/error-handler';
import { requestId } from '../../../server/src/http/middleware/request-id';
import { parseBody } from '../../../server/src/http/middleware/validate';

/** The real middleware chain in front of two routes: one validating a body, one failing unexpectedly. */
function appWithRoutes() {
  const app = new Koa();
  const emitted: unknown[] = [];
  app.on('error', (err: unknown) => emitted.push(err));
  app.use(requestId());
  app.use(errorHandler());
  app.use(bodyParser({ enableTypes: ['json'] }));
  app.use((ctx) => {
    if (ctx.path === '/validate') {
      const body = parseBody(
        ctx,
        z.object({ prompt: z.string().min(1).max(10), tier: z.enum(['basic', 'pro']) }),
      );
      ctx.body = { ok: body.tier };
      return;
    }
    throw new Error('password=hunter2 leaked from a driver');
  });
  return { app, emitted };
}

describe('error handler', () => {
  it('answers an invalid body with 400 VALIDATION_FAILED naming each field', async () => {
    const { app } = appWithRoutes();
    const res = await request(app.callback()).post('/validate').send({ prompt: '', tier: 'gold' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['prompt', 'tier']);
  });

  it('lets a valid body through', async () => {
    const { app } = appWithRoutes();
    const res = await request(app.callback()).post('/validate').send({ prompt: 'hi', tier: 'pro' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: 'pro' });
  });

  it('hides the message of an unexpected error and emits it for logging', async () => {
    const { app, emitted } = appWithRoutes();
    const res = await request(app.callback()).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(emitted).toHaveLength(1);
    expect((emitted[0] as Error).message).toContain('hunter2');
  });

  it('keeps a well-formed caller request id and replaces a malformed one', async () => {
    const { app } = appWithRoutes();
    const kept = await request(app.callback()).get('/boom').set('x-request-id', 'proxy-req-0001');
    expect(kept.body.error.requestId).toBe('proxy-req-0001');
    const replaced = await request(app.callback())
      .get('/boom')
      .set('x-request-id', 'bad id with spaces and "quotes"');
    expect(replaced.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
