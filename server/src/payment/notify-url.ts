/**
 * Boot-time check of the `notify_url` WeChat Pay will call. WeChat only reports a bad one when an order is
 * created (or, worse, by never calling), so it is checked when the server starts.
 */
import { isIP } from 'node:net';

/** Options for {@link checkNotifyUrl}. */
export interface NotifyUrlOptions {
  /**
   * Sandbox mode: allow `http:` and localhost / IP-literal hosts, which only the embedded emulator can reach.
   * Default false.
   */
  allowInsecureLocal?: boolean;
}

/** The rule a notify URL broke. */
export type NotifyUrlRule =
  'invalid_url' | 'https' | 'no_query' | 'no_fragment' | 'max_length' | 'no_credentials' | 'public_host';

/** Outcome of {@link checkNotifyUrl}. */
export type NotifyUrlCheck = { ok: true; url: string } | { ok: false; rule: NotifyUrlRule; message: string };

/** WeChat Pay's `notify_url` is string(255). */
const MAX_LENGTH = 255;

/**
 * Checks a notify URL against WeChat Pay's rules: absolute `https:`, no query string, no fragment, at most 255
 * characters, no credentials, and a public host name (not `localhost` or an IP literal).
 */
export function checkNotifyUrl(url: string, options: NotifyUrlOptions = {}): NotifyUrlCheck {
  const fail = (rule: NotifyUrlRule, message: string): NotifyUrlCheck => ({
    ok: false,
    rule,
    message: `Invalid notify_url "${url}": ${message}`,
  });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('invalid_url', 'not an absolute URL');
  }
  if (url.length > MAX_LENGTH)
    return fail('max_length', `${url.length} characters, WeChat Pay allows ${MAX_LENGTH}`);
  const local = options.allowInsecureLocal === true;
  if (parsed.protocol !== 'https:' && !(local && parsed.protocol === 'http:')) {
    return fail('https', 'WeChat Pay only calls https:// notify URLs');
  }
  // Checked on the raw string: URL drops an empty "?" or "#", which WeChat would still receive.
  if (url.includes('?')) return fail('no_query', 'WeChat Pay does not allow a query string');
  if (url.includes('#')) return fail('no_fragment', 'a fragment is never sent to the server');
  if (parsed.username !== '' || parsed.password !== '') {
    return fail('no_credentials', 'credentials in the URL are not allowed');
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const isLocalName = host === 'localhost' || host.endsWith('.localhost');
  if (!local && (isLocalName || isIP(host) !== 0)) {
    return fail(
      'public_host',
      'the host must be a public (ICP-registered) domain, not localhost or an IP address',
    );
  }
  return { ok: true, url };
}

/**
 * Like {@link checkNotifyUrl} but throws, for boot code.
 *
 * @throws Error whose message names the broken rule.
 */
export function assertNotifyUrl(url: string, options: NotifyUrlOptions = {}): string {
  const check = checkNotifyUrl(url, options);
  if (!check.ok) throw new Error(`${check.message} (rule: ${check.rule})`);
  return check.url;
}
