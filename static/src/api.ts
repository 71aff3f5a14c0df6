/** Calls from page code to our own API: the page's CSRF token, JSON or a form, the contract's error message. */

/** The page's CSRF token (the server writes it into a meta tag). */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/**
 * Send `body` (FormData as multipart, anything else as JSON) and return the parsed answer; a
 * refusal throws an Error carrying the contract's `error.message`, already in the page's language.
 */
export async function send<T>(method: string, url: string, body?: unknown): Promise<T> {
  const form = body instanceof FormData;
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrfToken(), ...(form || body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: form ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => null)) as (T & { error?: { message: string } }) | null;
  if (!res.ok || parsed === null) throw new Error(parsed?.error?.message ?? String(res.status));
  return parsed;
}

/** Show what went wrong in a form's error line, or hide it (err null). */
export function showError(el: HTMLElement | null | undefined, err: unknown): void {
  if (!el) return;
  el.textContent = err === null ? '' : err instanceof Error ? err.message : String(err);
  el.hidden = err === null;
}
