import OpenAI from 'openai';
import type { ResolvedProvider } from '../../catalog/index.js';

/** Placeholder key for providers without one (the sandbox mock, a keyless local gateway): the SDK insists on a key. */
const NO_API_KEY = 'sandbox';

/** How to reach providers. */
export interface ProviderClientOptions {
  /** Replaces the catalog's literal baseURL "sandbox", e.g. `http://127.0.0.1:3000/sandbox/model/v1`. */
  sandboxBaseURL?: string;
  /** fetch implementation for the SDK (tests pass a realm-safe one). Default: the global fetch. */
  fetch?: typeof fetch;
}

/** The base URL requests to `provider` go to. Throws when the catalog says "sandbox" and none was given. */
export function providerBaseURL(provider: ResolvedProvider, sandboxBaseURL: string | undefined): string {
  if (provider.baseURL !== 'sandbox') return provider.baseURL;
  if (sandboxBaseURL === undefined) {
    throw new Error(
      `provider "${provider.id}" uses baseURL "sandbox" but the router was given no sandboxBaseURL`,
    );
  }
  return sandboxBaseURL;
}

/**
 * One `openai` client for one provider. `maxRetries: 0` because the router falls back to the next model instead
 * of retrying (an SDK retry would spend the user's waiting time on the provider that just failed); `timeout` is
 * the provider's `timeoutMs`, which the SDK applies only until the response headers arrive (the router enforces
 * it on the whole stream itself). Organization and project are pinned to null so that OPENAI_ORG_ID /
 * OPENAI_PROJECT_ID in the environment are never sent as headers to other vendors' endpoints.
 */
export function createProviderClient(
  provider: ResolvedProvider,
  options: ProviderClientOptions = {},
): OpenAI {
  return new OpenAI({
    baseURL: providerBaseURL(provider, options.sandboxBaseURL),
    apiKey: provider.apiKey ?? NO_API_KEY,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: provider.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
