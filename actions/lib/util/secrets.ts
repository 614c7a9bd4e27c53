/**
 * Keeping credentials out of every line scalegate prints: URLs lose their `user:password@`, error bodies from a
 * server lose the secrets the request carried, and recognisable token shapes are blanked whatever their origin.
 */

export interface UrlCredentials {
  /** The URL without its user information. */
  url: string;
  basic?: { username: string; password: string };
}

const userInfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/i;

/** Moves `user:password@` out of an http(s) URL (percent-decoded), so it can travel as an Authorization header. */
export function splitUrlCredentials(url: string): UrlCredentials {
  const match = userInfo.exec(url);
  if (!match) return { url };
  const [username = '', password = ''] = match[2]!.split(/:(.*)/s);
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const clean = url.replace(userInfo, '$1');
  return username === '' && password === ''
    ? { url: clean }
    : { url: clean, basic: { username: decode(username), password: decode(password) } };
}

const tokenShapes: [RegExp, string][] = [
  [/([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/gi, '$1***@'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
  [/\b((?:access_|api_|auth_)?token|password|secret)=[^&\s"',;)]+/gi, '$1=***'],
];

/** `text` with each of `secrets` (and URL credentials, Bearer/Basic values, token= parameters) replaced by ***. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length))
    scrubbed = scrubbed.split(secret).join('***');
  for (const [pattern, replacement] of tokenShapes) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}
