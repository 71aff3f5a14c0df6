/** A small HTTP client for tests: JSON in/out, bearer token or cookie jar with CSRF. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class Client {
  token: string | null = null;
  private cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(readonly baseUrl: string) {}

  /** Use a bearer token for subsequent requests. */
  withToken(token: string | null): this {
    this.token = token;
    return this;
  }

  /** The Cookie header this client sends (its session and CSRF cookies), if any. */
  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  private remember(headers: Headers) {
    for (const c of headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = decodeURIComponent(pair.slice(i + 1));
      if (/Expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Raw request; body objects are sent as JSON, strings as-is, URLSearchParams as a form. */
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const cookie = this.cookieHeader();
    if (cookie) h.cookie = cookie;
    if (this.csrf && !this.token && !h['x-csrf-token'] && method !== 'GET') h['x-csrf-token'] = this.csrf;
    let payload: BodyInit | undefined;
    if (body instanceof URLSearchParams) {
      payload = body;
      h['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (typeof body === 'string') {
      payload = body;
      h['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, redirect: 'manual' });
    this.remember(res.headers);
    const text = await res.text();
    let parsed: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }
  delete<T = any>(path: string, body?: unknown) {
    return this.request<T>('DELETE', path, body);
  }

  /** Browser-style session: GET a page to obtain the CSRF cookie + token, then log in by form. */
  async browserLogin(username: string, password: string): Promise<void> {
    this.token = null;
    const page = await this.get('/login');
    this.csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1] ?? null;
    const res = await this.post('/login', new URLSearchParams({ username, password, _csrf: this.csrf ?? '' }));
    if (res.status !== 303) throw new Error(`browser login failed: ${res.status} ${res.text.slice(0, 200)}`);
    const after = await this.get('/');
    this.csrf = /name="csrf-token" content="([^"]+)"/.exec(after.text)?.[1] ?? this.csrf;
  }
}
