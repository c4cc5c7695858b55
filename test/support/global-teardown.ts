/** Jest global teardown: stop the private redis-server if the setup started one. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__TOKENTILL_TEST_REDIS__?.stop();
}
