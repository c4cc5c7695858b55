import { randomUUID } from 'node:crypto';

/** Logs `identity` in through the sandbox's code exchange (POST /api/session) and returns the session token. */
export async function login(baseUrl: string, identity: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `${identity}.${randomUUID()}` }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 200 || !body.token)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}
