import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import request from 'supertest';

import { createSandbox, type Sandbox } from '../../../server/src/sandbox/index.js';
import { tempKeys } from './support/sandbox-harness.js';

let sandbox: Sandbox;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempKeys();
  cleanup = temp.cleanup;
  sandbox = createSandbox({ keys: temp.keys, notifyScale: 0.001 });
});
afterAll(async () => {
  await sandbox.close();
  await cleanup();
});

describe('mounting the sandbox', () => {
  it('works before a JSON body parser, and the app keeps parsing bodies of its own routes', async () => {
    const app = new Koa();
    app.use(sandbox.middleware);
    app.use(bodyParser());
    app.use((ctx) => {
      ctx.body = { echoed: ctx.request.body };
    });
    await request(app.callback()).post('/sandbox/faults').send({ drop: true }).expect(200);
    await request(app.callback())
      .post('/api/orders')
      .send({ tier: 'pro' })
      .expect(200, { echoed: { tier: 'pro' } });
    await request(app.callback()).delete('/sandbox/faults').expect(204);
  });

  it('refuses to run after a body parser, which would have consumed the signed bytes', async () => {
    const app = new Koa();
    app.use(bodyParser());
    app.use(sandbox.middleware);
    const response = await request(app.callback()).post('/sandbox/faults').send({ drop: true });
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('SANDBOX_MISCONFIGURED');
  });

  it('answers CORS preflights on control paths for the H5 build', async () => {
    const app = new Koa();
    app.use(sandbox.middleware);
    const response = await request(app.callback())
      .options('/sandbox/pay')
      .set('Origin', 'http://localhost:10086');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-methods']).toContain('POST');
  });
});
