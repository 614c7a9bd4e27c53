/**
 * k6's cookies: every VU has a jar that collects the cookies of its responses and sends them back with its
 * requests, emptied before each iteration; scripts can read and edit it (`http.cookieJar()`), use jars of their own
 * (`new http.CookieJar()`, `params.jar`) and add cookies to one request (`params.cookies`). RFC 6265 matching is
 * tough-cookie's, loaded the first time a VU meets a cookie (packages.ts): with its public-suffix list it is five
 * times the size of the rest of the VU.
 */
import type * as Tough from 'tough-cookie';
import { loadPackage } from './packages.js';

let tough: typeof Tough | undefined;
function toughCookie(): typeof Tough {
  tough ??= loadPackage<typeof Tough>('tough-cookie');
  return tough;
}

function append<T>(map: Record<string, T[]>, key: string, value: T): void {
  const list = map[key];
  if (list) list.push(value);
  else map[key] = [value];
}

/** A response cookie as k6 shows it in `res.cookies`. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

export class CookieJar {
  private inner: Tough.CookieJar | undefined;

  /** tough-cookie's jar, made on first use; `rejectPublicSuffixes` off so that loopback and bare hosts work. */
  private get jar(): Tough.CookieJar {
    this.inner ??= new (toughCookie().CookieJar)(undefined, { rejectPublicSuffixes: false, looseMode: true });
    return this.inner;
  }

  cookiesForURL(url: unknown): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const cookie of this.jar.getCookiesSync(String(url))) append(out, cookie.key, cookie.value);
    return out;
  }

  set(
    url: unknown,
    name: string,
    value: unknown,
    options: {
      domain?: string;
      path?: string;
      expires?: string;
      max_age?: number;
      secure?: boolean;
      http_only?: boolean;
    } = {},
  ): void {
    const cookie = new (toughCookie().Cookie)({
      key: String(name),
      value: String(value),
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.path ? { path: options.path } : {}),
      ...(options.expires ? { expires: new Date(options.expires) } : {}),
      ...(options.max_age !== undefined ? { maxAge: options.max_age } : {}),
      secure: options.secure === true,
      httpOnly: options.http_only === true,
    });
    this.jar.setCookieSync(cookie, String(url));
  }

  clear(url: unknown): void {
    for (const cookie of this.jar.getCookiesSync(String(url)))
      this.jar.store.removeCookie(cookie.domain!, cookie.path!, cookie.key, () => undefined);
  }

  delete(url: unknown, name: string): void {
    for (const cookie of this.jar.getCookiesSync(String(url)))
      if (cookie.key === name)
        this.jar.store.removeCookie(cookie.domain!, cookie.path!, cookie.key, () => undefined);
  }

  /** The `Cookie` header for a request to `url`, with the request's own cookies added or replacing. */
  header(url: string, own: Record<string, unknown> | undefined): string {
    if (!this.inner && !own) return '';
    let pairs = this.jar.getCookiesSync(url).map((c) => [c.key, c.value] as [string, string]);
    for (const [name, spec] of Object.entries(own ?? {})) {
      const { value, replace } =
        spec !== null && typeof spec === 'object'
          ? (spec as { value?: unknown; replace?: boolean })
          : { value: spec, replace: false };
      if (replace) pairs = pairs.filter(([key]) => key !== name);
      pairs.push([name, String(value)]);
    }
    return pairs.map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Stores the `Set-Cookie` headers of every hop of a response. */
  store(setCookies: [url: string, header: string][]): void {
    for (const [url, header] of setCookies) this.jar.setCookieSync(header, url, { ignoreError: true });
  }
}

/** `res.cookies`: the cookies the final response set, by name. */
export function responseCookies(
  url: string,
  setCookies: [string, string][] | undefined,
): Record<string, ResponseCookie[]> {
  const out: Record<string, ResponseCookie[]> = {};
  for (const [hop, header] of setCookies ?? []) {
    if (hop !== url) continue;
    const cookie = toughCookie().Cookie.parse(header, { loose: true });
    if (!cookie) continue;
    append(out, cookie.key, {
      name: cookie.key,
      value: cookie.value,
      domain: cookie.domain ?? '',
      path: cookie.path ?? '',
      http_only: cookie.httpOnly,
      secure: cookie.secure,
      max_age: typeof cookie.maxAge === 'number' ? cookie.maxAge : 0,
      expires: cookie.expires instanceof Date ? cookie.expires.getTime() : 0,
    });
  }
  return out;
}
