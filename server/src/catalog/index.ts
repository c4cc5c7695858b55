export {
  loadCatalog,
  parseCatalog,
  type Catalog,
  type CatalogCheckOptions,
  type ResolvedProvider,
} from './catalog.js';
export { worstCaseSpendFen, type WorstCaseSpend } from './worst-case-spend.js';
export { isSandboxProvider, providersMissingKeys, realProviders } from './provider-keys.js';
export type { ModelConfig, ProviderConfig, TierConfig } from './catalog-schema.js';
