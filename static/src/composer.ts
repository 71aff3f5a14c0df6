/**
 * The composer: every form marked `data-composer` (reply, new thread, edit) keeps its draft in
 * localStorage (per `data-draft-key`), gets 编辑/预览 tabs (the preview is rendered by the server's
 * own renderer and sanitizer), and a toolbar that other modules plug buttons into with
 * `addComposerTool`. On a thread page, 回复 and 引用 open in the reply box without a reload.
 * Without JavaScript the forms and links work as before (the server fills `?quote=`/`?replyTo=`).
 */
import { t } from './i18n';
import { send } from './api';
import { quoteMarkdown } from '../../server/quote';

/** What a toolbar button gets when clicked. */
export interface ComposerContext {
  form: HTMLFormElement;
  textarea: HTMLTextAreaElement;
  /** Insert text at the caret (replacing the selection), then save the draft. */
  insert(text: string): void;
}

/** A toolbar button contributed by another module (image upload, stickers, ...). */
export interface ComposerTool {
  /** Stable name, also the button's `data-tool`. */
  id: string;
  /** Accessible name (already translated). */
  label: string;
  /** Optional icon (e.g. an inline SVG); cloned for each composer. Without one, the label shows. */
  icon?: Node;
  run(ctx: ComposerContext): void | Promise<void>;
}

interface Draft {
  body: string;
  title?: string;
  replyTo?: string;
  replyToName?: string;
  savedAt: number;
}

const STORAGE_PREFIX = 'resonance:draft:';
// Set when a composer form is submitted the classic way; the next page decides whether it was posted.
const SENT_MARKER = 'resonance:draft-sent';
const SAVE_DELAY_MS = 400;

const tools: ComposerTool[] = [];
const composers: Composer[] = [];
const watchers: Array<(ctx: ComposerContext) => void> = [];

function storage(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage disabled (privacy settings): the composer still works, without drafts
  }
}

function readDraft(key: string): Draft | null {
  try {
    const raw = storage('local')?.getItem(STORAGE_PREFIX + key);
    const value = raw ? (JSON.parse(raw) as Partial<Draft>) : null;
    return value && typeof value.body === 'string' ? { ...value, body: value.body, savedAt: Number(value.savedAt) || 0 } : null;
  } catch {
    return null;
  }
}

function writeDraft(key: string, draft: Draft | null): void {
  try {
    if (draft) storage('local')?.setItem(STORAGE_PREFIX + key, JSON.stringify(draft));
    else storage('local')?.removeItem(STORAGE_PREFIX + key);
  } catch {
    // quota exceeded or storage disabled: nothing to keep the draft in
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One enhanced form. */
class Composer {
  readonly key: string;
  readonly textarea: HTMLTextAreaElement;
  private readonly title: HTMLInputElement | null;
  private readonly replyToInput: HTMLInputElement | null;
  private readonly replyToBox: HTMLElement | null;
  private readonly toolsEl: HTMLElement;
  private readonly preview: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly writeTab: HTMLButtonElement;
  private readonly previewTab: HTMLButtonElement;
  private saveTimer = 0;

  constructor(readonly form: HTMLFormElement) {
    this.key = form.dataset.draftKey ?? '';
    this.textarea = form.querySelector<HTMLTextAreaElement>('textarea[name="body"]')!;
    this.title = form.querySelector<HTMLInputElement>('input[name="title"]');
    this.replyToInput = form.querySelector<HTMLInputElement>('input[name="replyTo"]');
    this.replyToBox = form.querySelector<HTMLElement>('[data-reply-to]');

    const bar = el('div', { class: 'composer-bar' });
    const tabs = el('div', { role: 'tablist' });
    this.writeTab = el('button', { type: 'button', role: 'tab', 'aria-selected': 'true', 'data-composer-tab': 'write' }, t('composer.write'));
    this.previewTab = el('button', { type: 'button', role: 'tab', 'aria-selected': 'false', 'data-composer-tab': 'preview' }, t('composer.preview'));
    tabs.append(this.writeTab, this.previewTab);
    this.toolsEl = el('div', { class: 'composer-tools', role: 'toolbar', 'aria-label': t('composer.toolbar') });
    bar.append(tabs, this.toolsEl);
    this.preview = el('div', { class: 'composer-preview', 'data-composer-preview': '', 'aria-live': 'polite', role: 'tabpanel', hidden: '' });
    if (!this.textarea.id) this.textarea.id = `composer-${composers.length + 1}`;
    this.preview.id = `${this.textarea.id}-preview`;
    this.writeTab.setAttribute('aria-controls', this.textarea.id);
    this.previewTab.setAttribute('aria-controls', this.preview.id);
    this.hint = el('div', { class: 'composer-draft', 'data-draft-hint': '', 'aria-live': 'polite' });
    this.textarea.before(bar);
    this.textarea.after(this.preview);
    // After the field's own error message, if the server put one there.
    const fieldError = this.textarea.nextElementSibling?.nextElementSibling;
    (fieldError?.classList.contains('field-error') ? fieldError : this.preview).after(this.hint);

    for (const tool of tools) this.addTool(tool);
    this.writeTab.addEventListener('click', () => this.showWrite());
    this.previewTab.addEventListener('click', () => void this.showPreview());
    this.form.addEventListener('input', () => this.scheduleSave());
    this.form.addEventListener('composer:sent', () => this.sent());
    this.replyToBox?.querySelector('[data-reply-to-cancel]')?.addEventListener('click', (event) => {
      event.preventDefault();
      this.setReplyTo(null);
      this.save();
    });
    window.addEventListener('pagehide', () => this.saveNow());
    this.restore();
  }

  /** Put a tool's button in this composer's toolbar. */
  addTool(tool: ComposerTool): void {
    const button = el('button', { type: 'button', 'data-tool': tool.id, title: tool.label, 'aria-label': tool.label });
    if (tool.icon) button.append(tool.icon.cloneNode(true));
    else button.textContent = tool.label;
    button.addEventListener('click', () => void tool.run(this.context()));
    this.toolsEl.append(button);
  }

  context(): ComposerContext {
    return { form: this.form, textarea: this.textarea, insert: (text) => this.insert(text) };
  }

  /** Insert at the caret (or append), keep the caret after it, and save. */
  insert(text: string): void {
    this.showWrite();
    const ta = this.textarea;
    const start = ta.selectionStart ?? ta.value.length;
    const end = ta.selectionEnd ?? ta.value.length;
    const before = ta.value.slice(0, start);
    // A block (a quote) starts on its own line.
    const lead = text.startsWith('>') && before && !before.endsWith('\n\n') ? (before.endsWith('\n') ? '\n' : '\n\n') : '';
    ta.setRangeText(lead + text, start, end, 'end');
    ta.focus();
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** Point the reply at a post (or at none). */
  setReplyTo(reply: { id: string; name: string } | null): void {
    if (!this.replyToInput || !this.replyToBox) return;
    this.replyToInput.value = reply?.id ?? '';
    const label = this.replyToBox.querySelector('[data-reply-to-label]');
    if (label) label.textContent = reply ? t('composer.replyingTo', { name: reply.name }) : '';
    this.replyToBox.hidden = !reply;
  }

  focus(): void {
    this.showWrite();
    this.form.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    this.textarea.focus({ preventScroll: true });
  }

  private showWrite(): void {
    this.writeTab.setAttribute('aria-selected', 'true');
    this.previewTab.setAttribute('aria-selected', 'false');
    this.preview.hidden = true;
    this.preview.replaceChildren();
    this.textarea.hidden = false;
  }

  private async showPreview(): Promise<void> {
    this.writeTab.setAttribute('aria-selected', 'false');
    this.previewTab.setAttribute('aria-selected', 'true');
    this.preview.style.minHeight = `${this.textarea.offsetHeight}px`;
    this.textarea.hidden = true;
    this.preview.hidden = false;
    const body = this.textarea.value;
    if (!body.trim()) {
      this.preview.textContent = t('composer.previewEmpty');
      return;
    }
    this.preview.textContent = t('composer.loading');
    try {
      const data = await send<{ html: string }>('POST', '/api/v1/preview', { body });
      if (this.textarea.value !== body || this.previewTab.getAttribute('aria-selected') !== 'true') return;
      // Styled as a post, but a .post-body only while shown: page code counting posts' bodies never sees an empty one.
      const rendered = el('div', { class: 'post-body' });
      rendered.innerHTML = data.html; // sanitised by the server (markdown.ts), exactly as it will be posted
      this.preview.replaceChildren(rendered);
    } catch (err) {
      if (this.textarea.value !== body || this.previewTab.getAttribute('aria-selected') !== 'true') return; // a stale answer
      this.preview.replaceChildren(el('p', { class: 'form-error' }, err instanceof Error ? err.message : String(err)));
    }
  }

  private scheduleSave(): void {
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  private saveNow(): void {
    if (this.saveTimer) {
      window.clearTimeout(this.saveTimer);
      this.save();
    }
  }

  /** Keep what is typed; an empty form keeps nothing. */
  save(): void {
    this.saveTimer = 0;
    if (!this.key) return;
    const body = this.textarea.value;
    const title = this.title?.value ?? '';
    if (!body.trim() && !title.trim()) {
      writeDraft(this.key, null);
      this.hint.textContent = '';
      return;
    }
    const replyTo = this.replyToInput?.value || undefined;
    const replyToName = replyTo ? this.replyToBox?.querySelector('[data-reply-to-label]')?.textContent ?? undefined : undefined;
    writeDraft(this.key, { body, ...(this.title ? { title } : {}), ...(replyTo ? { replyTo, replyToName } : {}), savedAt: Date.now() });
    this.hint.textContent = t('composer.draftSaved');
  }

  /** A draft from an earlier visit comes back, unless the server just re-rendered this form with what was sent. */
  private restore(): void {
    const draft = this.key ? readDraft(this.key) : null;
    if (!draft) return;
    const rerendered = !!this.form.querySelector('[aria-invalid="true"], .form-error[role="alert"]');
    if (rerendered) return;
    const same = draft.body === this.textarea.value && (draft.title ?? '') === (this.title?.value ?? '');
    if (same) return;
    // A quote the server put in (the ?quote= link) joins the draft instead of replacing it.
    const prefilled = this.textarea.defaultValue;
    const keepPrefill = this.replyToInput && prefilled && !draft.body.includes(prefilled);
    this.textarea.value = keepPrefill ? `${draft.body.replace(/\s*$/, '\n\n')}${prefilled}` : draft.body;
    if (this.title && draft.title !== undefined) this.title.value = draft.title;
    if (draft.replyTo && !this.replyToInput?.value) {
      this.setReplyTo({ id: draft.replyTo, name: '' });
      const label = this.replyToBox?.querySelector('[data-reply-to-label]');
      if (label && draft.replyToName) label.textContent = draft.replyToName;
    }
    this.hint.replaceChildren(el('span', {}, t('composer.draftRestored')));
    const discard = el('button', { type: 'button', 'data-discard-draft': '' }, t('composer.discardDraft'));
    discard.addEventListener('click', () => {
      this.textarea.value = this.textarea.defaultValue;
      if (this.title) this.title.value = this.title.defaultValue;
      this.setReplyTo(this.replyToInput?.defaultValue ? { id: this.replyToInput.defaultValue, name: '' } : null);
      writeDraft(this.key, null);
      this.hint.textContent = '';
    });
    this.hint.append(discard);
  }

  /** The post went out (fetch path): empty the box and forget the draft. */
  private sent(): void {
    window.clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    this.textarea.value = '';
    this.setReplyTo(null);
    this.showWrite();
    writeDraft(this.key, null);
    this.hint.textContent = '';
  }
}

/** Register a toolbar button on every composer, present and future. */
export function addComposerTool(tool: ComposerTool): void {
  if (tools.some((x) => x.id === tool.id)) return;
  tools.push(tool);
  for (const c of composers) c.addTool(tool);
}

/**
 * Run `callback` for every composer, present and future: for what is not a button (paste and
 * drag-and-drop of images onto the textarea, for instance).
 */
export function onComposer(callback: (ctx: ComposerContext) => void): void {
  watchers.push(callback);
  for (const c of composers) callback(c.context());
}

/** The composer of the page's reply box, if any. */
function replyComposer(): Composer | undefined {
  return composers.find((c) => c.form.matches('[data-reply-form]'));
}

/** The quoted post's Markdown and author, read from the JSON API (the page only has its HTML). */
async function loadPost(threadId: string, postId: string): Promise<{ body: string; username: string } | null> {
  // The first post after the one before it: the quoted post itself, unless it is hidden or gone.
  const after = Number(postId) - 1;
  const res = await fetch(`/api/v1/threads/${encodeURIComponent(threadId)}?${after > 0 ? `after=${after}&` : ''}limit=1`, { credentials: 'same-origin' });
  if (!res.ok) return null;
  const data = (await res.json()) as { posts?: Array<{ id: string; body: string; author: { username: string } }> };
  const post = data.posts?.[0];
  return post && post.id === postId ? { body: post.body, username: post.author.username } : null;
}

/** 回复/引用 links of this thread open in the reply box (delegated: live posts have them too). */
function interceptReplyLinks(doc: Document): void {
  doc.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a[href]');
    const composer = replyComposer();
    if (!(link instanceof HTMLAnchorElement) || !composer) return;
    const url = new URL(link.href, window.location.href);
    const threadId = /^\/t\/(\d+)$/.exec(url.pathname)?.[1];
    const formThread = /^\/t\/(\d+)\/reply$/.exec(new URL(composer.form.action, window.location.href).pathname)?.[1];
    const quote = url.searchParams.get('quote');
    const replyTo = quote ?? url.searchParams.get('replyTo');
    if (url.origin !== window.location.origin || !threadId || threadId !== formThread || !replyTo || !/^\d+$/.test(replyTo)) return;
    event.preventDefault();
    const article = doc.getElementById(`p${replyTo}`);
    const name = article?.querySelector('.author')?.textContent?.trim() || `#${replyTo}`;
    composer.setReplyTo({ id: replyTo, name });
    composer.focus();
    if (!quote) return composer.save();
    void loadPost(threadId, replyTo).then((post) => {
      if (!post) return;
      composer.insert(quoteMarkdown({ username: post.username, threadId, postId: replyTo, body: post.body }, t('composer.quoteHeader')));
    });
  });
}

/**
 * A form sent the classic way lands on its result: a thread page without errors means it was
 * posted (forget the draft); the form again with its errors, or an error page, keeps it.
 */
function settleSentDraft(doc: Document): void {
  const session = storage('session');
  const key = session?.getItem(SENT_MARKER);
  if (!key) return;
  session!.removeItem(SENT_MARKER);
  const posted = !!doc.querySelector('[data-thread-id]') && !doc.querySelector('form [aria-invalid="true"], form .form-error[role="alert"]');
  if (posted) writeDraft(key, null);
}

/** Enhance every composer form on the page. */
export function enhanceComposers(doc: Document): void {
  settleSentDraft(doc);
  for (const form of doc.querySelectorAll<HTMLFormElement>('form[data-composer]')) {
    if (!form.querySelector('textarea[name="body"]')) continue;
    const composer = new Composer(form);
    composers.push(composer);
    for (const watch of watchers) watch(composer.context());
  }
  // Bubbling to the document: a handler that posts by fetch (the live thread) has already called preventDefault.
  doc.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    const composer = composers.find((c) => c.form === form);
    if (!composer) return;
    composer.save();
    if (!event.defaultPrevented && composer.key) storage('session')?.setItem(SENT_MARKER, composer.key);
  });
  interceptReplyLinks(doc);
}
