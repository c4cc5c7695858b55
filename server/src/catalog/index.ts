export {
  loadCatalog,
  parseCatalog,
  worstCaseCostFen,
  type Catalog,
  type ResolvedProvider,
} from './catalog.js';
export { isSandboxProvider, providersMissingKeys, realProviders } from './provider-keys.js';
export type { ModelConfig, ProviderConfig, TierConfig } from './catalog-schema.js';
