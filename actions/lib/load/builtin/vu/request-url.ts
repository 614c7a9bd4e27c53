/**
 * The URL of a k6 request as k6 reads it: a string or an `http.url` tagged template (whose `name` groups URLs that
 * differ only in their values), credentials in the URL sent as Basic auth and masked in metric tags the way k6's
 * `URL.Clean()` masks them (`****:****`), and URLs that cannot be requested turned into errors k6 reports on the
 * response (error code 1020 for an unparsable URL, 1000 for a relative one).
 */

/** What `http.url\`…\`` returns: k6 tags its requests with the template, values replaced by `${}`. */
export class TemplatedUrl {
  constructor(
    readonly url: string,
    readonly name: string,
  ) {}

  toString(): string {
    return this.url;
  }
}

export function templatedUrl(strings: TemplateStringsArray, ...values: unknown[]): TemplatedUrl {
  let url = '';
  let name = '';
  strings.forEach((part, i) => {
    url += part;
    name += part;
    if (i < values.length) {
      url += String(values[i]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: k6's literal placeholder in the name tag.
      name += '${}';
    }
  });
  return new TemplatedUrl(url, name);
}

/** A URL that cannot be requested: the request fails with this k6 error, on the response unless `throw` is set. */
export class UrlError extends Error {
  constructor(
    readonly url: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestUrl {
  /** What is requested: without credentials. */
  url: string;
  /** What metric tags show: credentials masked. */
  shown: string;
  /** The `name` tag implied by an `http.url` template. */
  name?: string;
  /** `user:password` from the URL, percent-decoded. */
  credentials?: { username: string; password: string };
}

const cache = new Map<string, RequestUrl>();

function parse(raw: string): RequestUrl {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Go's url.Parse accepts a relative URL, which the client then cannot request.
    if (!raw.includes('://')) throw new UrlError(raw, 1000, `unsupported protocol scheme ""`);
    throw new UrlError(raw, 1020, `invalid URL: parse "${raw}"`);
  }
  if (!parsed.username && !parsed.password) return { url: raw, shown: raw };
  const shown = mask(raw, parsed.password !== '');
  const credentials = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), shown, credentials };
}

/** k6's masking of the user information of a URL. */
function mask(url: string, hasPassword: boolean): string {
  const scheme = url.indexOf('://') + 3;
  const at = url.indexOf('@', scheme);
  if (scheme < 3 || at < 0) return url;
  return `${url.slice(0, scheme)}${hasPassword ? '****:****' : '****'}${url.slice(at)}`;
}

/** Scripts request the same few URLs over and over: each is parsed once (up to a bound). */
export function requestUrl(url: unknown): RequestUrl {
  const templated = url instanceof TemplatedUrl ? url : undefined;
  const raw = String(url);
  let known = cache.get(raw);
  if (!known) {
    known = parse(raw);
    if (cache.size < 1000) cache.set(raw, known);
  }
  if (!templated) return known;
  const name = known.credentials ? mask(templated.name, known.credentials.password !== '') : templated.name;
  return { ...known, name };
}
