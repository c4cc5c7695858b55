export {
  loadCatalog,
  parseCatalog,
  worstCaseCostFen,
  type Catalog,
  type ResolvedProvider,
} from './catalog.js';
export type { ModelConfig, ProviderConfig, TierConfig } from './catalog-schema.js';
