import { useTestServer, type ServerFixture } from '../support/test-server';

/**
 * The server every fuzz target runs against: the real server in sandbox mode (useTestServer: loopback only, its
 * own Redis prefix, deleted afterwards), with the per-user limits raised so that thousands of cases from one
 * user exercise the handlers rather than the rate limiter (whose own tests are in test/integration/limits).
 * Logins from loopback are not counted per address, so LOGINS_PER_IP_PER_MINUTE needs no change.
 */
export const FUZZ_SERVER_ENV: NodeJS.ProcessEnv = {
  ORDERS_PER_MINUTE: '1000000',
  MAX_UNPAID_ORDERS: '1000000',
  CONFIRMS_PER_MINUTE: '1000000',
  WS_MAX_SOCKETS_PER_USER: '1000',
};

export function useFuzzServer(): ServerFixture {
  return useTestServer(FUZZ_SERVER_ENV);
}

/** Liveness: the server still answers after what the fuzzer sent it. */
export async function expectAlive(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/healthz`);
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status} after the fuzz cases`);
  await res.arrayBuffer();
}
