import type { Catalog, ResolvedProvider } from './catalog.js';

/** The embedded mock model: served by this server in sandbox mode, so it needs no key and costs nothing. */
export function isSandboxProvider(provider: ResolvedProvider): boolean {
  return provider.baseURL === 'sandbox';
}

/** Providers reached over the network (a vendor or a gateway): answers from them cost real money. */
export function realProviders(catalog: Catalog): ResolvedProvider[] {
  return [...catalog.providers.values()].filter((p) => !isSandboxProvider(p));
}

/**
 * Real providers that name an API-key variable (`apiKeyEnv`) the environment does not set. Started anyway, every
 * answer from their models would fail and each paid order be refunded. A provider without `apiKeyEnv` is a
 * keyless gateway by choice and is not listed.
 */
export function providersMissingKeys(catalog: Catalog): ResolvedProvider[] {
  return realProviders(catalog).filter((p) => p.apiKeyEnv !== undefined && !p.apiKey);
}
