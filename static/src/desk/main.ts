/**
 * The alert desk in the browser: the queue from /api/v1/alerts, kept live by the /desk socket
 * (alert:raised, alert:updated), sorted by severity then age, with SLA countdowns; the selected
 * case in full (evidence, thread context, author, history) with the workflow and moderation
 * actions. Every user-written text is set with textContent: nothing from a post becomes markup.
 */
import { io, type Socket } from 'socket.io-client';
import type { DeskAlert, DeskClientToServerEvents, DeskServerToClientEvents } from '../../../server/realtime/contract';
import { t, locale } from '../i18n';
import { readerZone } from '../times';

type Tab = 'active' | 'mine' | 'resolved' | 'dismissed';
const ACTIVE = new Set(['open', 'claimed', 'responded']);

interface PostView { id: string; body: string; author: { username: string; displayName: string }; createdAt: string; hidden?: boolean }
interface Detail {
  alert: DeskAlert;
  signals: { kind: DeskAlert['kind']; severity: number; reasons: string[]; parts: Record<string, string | number>; createdAt: string }[];
  post?: PostView;
  thread?: { id: string; title: string; locked: boolean };
  context: PostView[];
  mention?: { source: string; handle: string; followers: number | null; text: string; url: string | null; publishedAt: string };
  author?: { username: string; displayName: string; role: string; joinedAt: string; suspended: boolean };
  influence?: { score: number; kol: boolean; reach: number; reasons: string[] };
  analysis?: { label: 'negative' | 'neutral' | 'positive'; score: number; reasons: string[] };
  history: { action: string; actor: { displayName: string } | null; reason: string | null; at: string }[];
}

const root = document.querySelector<HTMLElement>('[data-desk]');
const list = root?.querySelector<HTMLOListElement>('[data-desk-list]');
const detailPane = root?.querySelector<HTMLElement>('[data-desk-detail]');
const me = root?.dataset.me ?? '';
const canAssign = root?.dataset.canAssign === '1';
const canModerate = root?.dataset.canModerate === '1';
const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

const alerts = new Map<string, DeskAlert>();
let tab: Tab = 'active';
let selected: string | null = null;
const fresh = new Set<string>();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error((json as { error?: { message?: string } }).error?.message ?? String(res.status)), { status: res.status });
  return json as T;
}

// The reader's zone (chosen on /settings, else the browser's), 24-hour, as every page writes times.
const dateFmt = new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23', timeZone: readerZone() });
function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  const m = Math.floor(s / 60);
  return m < 1 ? t('desk.age', { n: `${s}s` }) : m < 60 ? t('desk.age', { n: `${m}m` }) : t('desk.age', { n: `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}` });
}
function clock(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
/** The SLA line: time left to claim, overdue, or met (claimed). */
function slaText(a: DeskAlert): { text: string; cls: string } {
  if (a.status !== 'open') return { text: ACTIVE.has(a.status) ? t('desk.sla.met') : '', cls: 'sla-met' };
  const left = new Date(a.slaDueAt).getTime() - Date.now();
  if (left >= 0) return { text: t('desk.sla.left', { time: clock(left) }), cls: left < 5 * 60_000 ? 'sla-soon' : 'sla-ok' };
  return { text: t('desk.sla.over', { time: clock(left) }), cls: 'sla-over' };
}

function inTab(a: DeskAlert): boolean {
  if (tab === 'active') return ACTIVE.has(a.status);
  if (tab === 'mine') return ACTIVE.has(a.status) && a.assignee?.username === me;
  return a.status === tab;
}
function order(a: DeskAlert, b: DeskAlert): number {
  if (tab === 'resolved' || tab === 'dismissed') return (b.closedAt ?? '').localeCompare(a.closedAt ?? '');
  return b.severity - a.severity || a.createdAt.localeCompare(b.createdAt);
}

/** A rule's reason (stable, English-coded: `watchword 起火 (safety)`) in the page's language. */
const REASONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^sentiment (-?[\d.]+)$/, (m) => t('desk.reason.sentiment', { score: m[1] })],
  [/^reach ([\d.]+)$/, (m) => t('desk.reason.reach', { reach: m[1] })],
  [/^complaint (.+)$/, (m) => t('desk.reason.complaint', { category: m[1] })],
  [/^question$/, () => t('desk.reason.question')],
  [/^kol negative (-?[\d.]+)$/, (m) => t('desk.reason.kolNegative', { score: m[1] })],
  [/^kol trend (-?[\d.]+) → (-?[\d.]+)$/, (m) => t('desk.reason.kolTrend', { before: m[1], now: m[2] })],
  [/^watchword (.+) \((safety|health|legal|media|data)\)$/, (m) => t('desk.reason.watchword', { term: m[1], category: t(`desk.watch.${m[2]}`) })],
  [/^watchword (.+) \((.+)\)$/, (m) => t('desk.reason.watchword', { term: m[1], category: m[2] })],
  [/^reports (\d+)$/, (m) => t('desk.reason.reports', { n: m[1] })],
  [/^report: (.*)$/s, (m) => t('desk.reason.report', { reason: m[1] })],
  [/^spike (sudden|slow) (.+)$/, (m) => t(`desk.reason.spike.${m[1]}`, { series: m[2] })],
  [/^negative ([\d.]+) vs ([\d.]+) expected \(z (-?[\d.]+)\)$/, (m) => t('desk.reason.spikeCount', { observed: m[1], expected: m[2], z: m[3] })],
  [/^share (\d+)% vs (\d+)%$/, (m) => t('desk.reason.share', { share: m[1], baseline: m[2] })],
];
function reasonText(r: string): string {
  for (const [re, render] of REASONS) {
    const m = re.exec(r);
    if (m) return render(m);
  }
  return r;
}

/** The case's headline in the page's language: its kind, then what it is about. */
const headline = (a: DeskAlert) => `${t(`desk.kind.${a.kind}`)}${locale() === 'zh-CN' ? '：' : ': '}${a.subjectTitle}`;

function card(a: DeskAlert): HTMLLIElement {
  const sla = slaText(a);
  const li = el(
    'li',
    { class: `desk-card sev-${a.severity >= 8 ? 'critical' : a.severity >= 5 ? 'high' : 'normal'}${a.id === selected ? ' selected' : ''}${fresh.has(a.id) ? ' fresh' : ''}`, 'data-alert': a.id, id: `alert-${a.id}`, tabindex: '0' },
    el('span', { class: 'sev', title: `severity ${a.severity}` }, String(a.severity)),
    el(
      'div',
      { class: 'desk-card-body' },
      el('div', { class: 'desk-card-title' }, headline(a)),
      el(
        'div',
        { class: 'desk-card-meta' },
        ...a.kinds.map((k) => el('span', { class: `kind kind-${k}` }, t(`desk.kind.${k}`))),
        a.subject.chapter ? el('span', { class: 'muted' }, a.subject.chapter.name) : null,
        el('span', { class: 'muted' }, ago(a.createdAt)),
        a.signals > 1 ? el('span', { class: 'muted' }, t('desk.signals', { n: a.signals })) : null,
      ),
      el(
        'div',
        { class: 'desk-card-meta' },
        el('span', { class: `status status-${a.status}` }, t(`desk.status.${a.status}`)),
        a.assignee ? el('span', {}, `→ ${a.assignee.displayName}`) : null,
        el('span', { class: `sla ${sla.cls}`, 'data-sla': a.id }, sla.text),
        a.escalated && a.status === 'open' ? el('span', { class: 'escalated' }, t('desk.escalated')) : null,
      ),
    ),
  );
  li.addEventListener('click', () => select(a.id));
  li.addEventListener('keydown', (e) => e.key === 'Enter' && select(a.id));
  return li;
}

function renderList() {
  if (!list) return;
  const shown = [...alerts.values()].filter(inTab).sort(order);
  list.replaceChildren(...(shown.length ? shown.map(card) : [el('li', { class: 'muted desk-empty' }, t('desk.empty'))]));
  const active = [...alerts.values()].filter((a) => ACTIVE.has(a.status));
  const setCount = (k: string, n: number) => {
    const c = root?.querySelector<HTMLElement>(`[data-count="${k}"]`);
    if (c) c.textContent = n ? String(n) : '';
  };
  setCount('active', active.length);
  setCount('mine', active.filter((a) => a.assignee?.username === me).length);
  const open = active.filter((a) => a.status === 'open').length;
  document.title = `${open ? `(${open}) ` : ''}${document.title.replace(/^\(\d+\) /, '')}`;
}

function tickCountdowns() {
  root?.querySelectorAll<HTMLElement>('[data-sla]').forEach((node) => {
    const a = alerts.get(node.dataset.sla!);
    if (!a) return;
    const sla = slaText(a);
    node.textContent = sla.text;
    node.className = `sla ${sla.cls}`;
  });
}

async function loadTab() {
  const status = tab === 'mine' ? 'active&mine=1' : tab;
  const { items } = await api<{ items: DeskAlert[] }>('GET', `/api/v1/alerts?status=${status}&limit=300`);
  if (tab === 'active' || tab === 'mine') for (const [id, a] of alerts) if (ACTIVE.has(a.status)) alerts.delete(id);
  for (const a of items) alerts.set(a.id, a);
  renderList();
}

function notice(text: string, kind: 'ok' | 'error' = 'ok') {
  const box = detailPane?.querySelector<HTMLElement>('[data-desk-notice]');
  if (box) {
    box.textContent = text;
    box.className = `desk-notice ${kind}`;
  }
}

/** Run an action, then reload the case; errors (a lost race: 409) are shown where the buttons are. */
async function act(run: () => Promise<unknown>) {
  try {
    await run();
    notice(t('desk.done'));
  } catch (err) {
    const status = (err as { status?: number }).status;
    notice(status === 409 ? `${t('desk.conflict')} ${(err as Error).message}` : `${t('desk.error')} ${(err as Error).message}`, 'error');
  }
  if (selected) await showDetail(selected, false);
}

/** A small inline form: a text field (mandatory when `required`) and a submit button. */
function inlineForm(label: string, placeholder: string, required: boolean, submit: (value: string) => Promise<unknown>, multiline = false): HTMLFormElement {
  const field = multiline ? el('textarea', { rows: '4', placeholder, maxlength: '10000' }) : el('input', { type: 'text', placeholder, maxlength: '2000' });
  if (required) field.setAttribute('required', '');
  const form = el('form', { class: 'desk-inline' }, field, el('button', { type: 'submit', class: 'button small secondary' }, label));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = (field as HTMLInputElement).value.trim();
    if (required && !value) return;
    void act(() => submit(value));
  });
  return form;
}

function postBlock(p: PostView, highlight: boolean): HTMLElement {
  return el(
    'article',
    { class: `desk-post${highlight ? ' subject' : ''}${p.hidden ? ' hidden-post' : ''}` },
    el('header', {}, el('strong', {}, p.author.displayName), ' ', el('span', { class: 'muted' }, `@${p.author.username} · ${dateFmt.format(new Date(p.createdAt))}`), p.hidden ? el('span', { class: 'badge' }, t('desk.hidden')) : null),
    el('p', { class: 'desk-post-body' }, p.body),
  );
}

async function showDetail(id: string, scroll = true) {
  if (!detailPane) return;
  let d: Detail;
  try {
    d = await api<Detail>('GET', `/api/v1/alerts/${id}`);
  } catch (err) {
    detailPane.replaceChildren(el('p', { class: 'desk-notice error' }, `${t('desk.error')} ${(err as Error).message}`));
    return;
  }
  alerts.set(d.alert.id, d.alert);
  renderList();
  const a = d.alert;
  const sla = slaText(a);
  const mine = a.assignee?.username === me;
  const active = ACTIVE.has(a.status);
  const actions = el('div', { class: 'desk-actions' });
  const button = (label: string, run: () => Promise<unknown>, cls = 'button small') => {
    const b = el('button', { type: 'button', class: cls }, label);
    b.addEventListener('click', () => void act(run));
    return b;
  };
  if (a.status === 'open') actions.append(button(t('desk.claim'), () => api('POST', `/api/v1/alerts/${a.id}/claim`, {})));
  if (a.status === 'claimed' && (mine || canAssign)) actions.append(inlineForm(t('desk.release'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/alerts/${a.id}/release`, { reason })));
  if (active && canAssign) {
    const pick = el('select', { 'aria-label': t('desk.assign') });
    pick.innerHTML = document.querySelector('template[data-responders]')?.innerHTML ?? '';
    const assign = el('form', { class: 'desk-inline' }, pick, el('button', { type: 'submit', class: 'button small secondary' }, t('desk.assign')));
    assign.addEventListener('submit', (e) => {
      e.preventDefault();
      void act(() => api('POST', `/api/v1/alerts/${a.id}/assign`, { username: pick.value }));
    });
    actions.append(assign);
  }

  const respond = el('div', { class: 'desk-respond' });
  if (active && d.thread && (mine || !a.assignee)) {
    const canned = el('select', { 'aria-label': t('desk.canned') }, el('option', { value: '' }, t('desk.canned')));
    canned.insertAdjacentHTML('beforeend', document.querySelector('template[data-canned]')?.innerHTML ?? '');
    const form = inlineForm(t('desk.respond'), t('desk.replyPlaceholder'), true, (body) => api('POST', `/api/v1/alerts/${a.id}/respond`, { body }), true);
    canned.addEventListener('change', () => {
      const body = canned.selectedOptions[0]?.dataset.body;
      if (body) form.querySelector('textarea')!.value = body;
    });
    respond.append(canned, form);
  }
  const close = el('div', { class: 'desk-close' });
  if (active) {
    close.append(
      inlineForm(t('desk.resolve'), t('desk.notePrompt'), true, (note) => api('POST', `/api/v1/alerts/${a.id}/resolve`, { note })),
      inlineForm(t('desk.dismiss'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/alerts/${a.id}/dismiss`, { reason })),
    );
  } else {
    close.append(inlineForm(t('desk.reopen'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/alerts/${a.id}/reopen`, { reason })));
  }
  const feedback = el(
    'div',
    { class: 'desk-feedback' },
    el('span', { class: 'muted' }, t('desk.feedback')),
    button(t('desk.feedback.negative'), () => api('POST', `/api/v1/alerts/${a.id}/feedback`, { verdict: 'negative' }), `button small secondary${a.feedback === 'negative' ? ' pressed' : ''}`),
    button(t('desk.feedback.notNegative'), () => api('POST', `/api/v1/alerts/${a.id}/feedback`, { verdict: 'not_negative' }), `button small secondary${a.feedback === 'not_negative' ? ' pressed' : ''}`),
  );
  const moderation = el('div', { class: 'desk-moderation' });
  if (canModerate && d.post) {
    moderation.append(
      d.post.hidden
        ? inlineForm(t('desk.restore'), t('desk.reasonPrompt'), true, (reason) => api('DELETE', `/api/v1/posts/${d.post!.id}/hide`, { reason }))
        : inlineForm(t('desk.hide'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/posts/${d.post!.id}/hide`, { reason })),
    );
  }
  if (canModerate && d.thread) {
    moderation.append(inlineForm(d.thread.locked ? t('desk.unlock') : t('desk.lock'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/threads/${d.thread!.id}/lock`, { locked: !d.thread!.locked, reason })));
  }
  if (canModerate && d.author && d.author.role === 'member') {
    moderation.append(
      inlineForm(t('desk.warn'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/users/${d.author!.username}/sanctions`, { kind: 'warn', reason })),
      inlineForm(t('desk.suspend'), t('desk.reasonPrompt'), true, (reason) => api('POST', `/api/v1/users/${d.author!.username}/sanctions`, { kind: 'suspend', reason, days: 7 })),
    );
  }

  const subject = d.post
    ? el('section', { class: 'desk-section' }, el('h3', {}, t('desk.context')), ...d.context.map((p) => postBlock(p, p.id === d.post!.id)), d.thread ? el('a', { href: `/t/${d.thread.id}#p${d.post.id}`, target: '_blank', rel: 'noopener' }, t('desk.openThread')) : null)
    : d.mention
      ? el('section', { class: 'desk-section' }, el('h3', {}, t('desk.mention')), el('article', { class: 'desk-post subject' }, el('header', {}, el('strong', {}, `@${d.mention.handle}`), ' ', el('span', { class: 'muted' }, `${d.mention.source} · ${d.mention.followers ?? '—'} ${t('desk.followers')}`)), el('p', { class: 'desk-post-body' }, d.mention.text)), d.mention.url ? el('a', { href: d.mention.url, target: '_blank', rel: 'noopener noreferrer' }, d.mention.url) : null)
      : null;

  detailPane.replaceChildren(
    ...[
    el('div', { class: 'desk-detail-head' }, el('span', { class: `sev sev-big ${a.severity >= 8 ? 'critical' : a.severity >= 5 ? 'high' : 'normal'}` }, String(a.severity)), el('h2', {}, headline(a))),
    el('div', { class: 'desk-card-meta' }, el('span', { class: `status status-${a.status}` }, t(`desk.status.${a.status}`)), el('span', {}, a.assignee ? `${t('desk.assignee')}: ${a.assignee.displayName}` : t('desk.unassigned')), el('span', { class: `sla ${sla.cls}`, 'data-sla': a.id }, sla.text), a.escalated ? el('span', { class: 'escalated' }, t('desk.escalated')) : null),
    el('p', { class: 'desk-notice', 'data-desk-notice': '' }),
    actions,
    el('section', { class: 'desk-section' }, el('h3', {}, t('desk.evidence')), el('ul', { class: 'chip-list reasons' }, ...a.reasons.map((r) => el('li', { class: 'chip', title: r }, reasonText(r)))), el('ol', { class: 'desk-signals' }, ...d.signals.map((s) => el('li', {}, el('span', { class: `kind kind-${s.kind}` }, t(`desk.kind.${s.kind}`)), ` ${s.severity} · `, el('span', { class: 'muted' }, `${dateFmt.format(new Date(s.createdAt))} · ${Object.entries(s.parts).map(([k, v]) => `${k}=${v}`).join(' ')}`))))),
    subject,
    d.author
      ? el('section', { class: 'desk-section desk-author' }, el('h3', {}, t('desk.author')), el('p', {}, el('a', { href: `/u/${d.author.username}` }, d.author.displayName), ` @${d.author.username} · ${t('desk.joined')} ${dateFmt.format(new Date(d.author.joinedAt))}`, d.author.suspended ? el('span', { class: 'badge' }, t('desk.suspended')) : null), d.influence && (d.influence.score > 0 || d.influence.kol) ? el('p', {}, `${t('desk.influence')}: ${d.influence.score}`, d.influence.kol ? el('span', { class: 'badge kol' }, t('desk.kol')) : null, el('span', { class: 'muted' }, ` ${d.influence.reasons.slice(0, 2).join('；')}`)) : null)
      : null,
    respond,
    close,
    moderation,
    feedback,
    el('section', { class: 'desk-section' }, el('h3', {}, t('desk.history')), el('ol', { class: 'desk-history' }, ...d.history.map((h) => el('li', {}, el('span', { class: 'muted' }, dateFmt.format(new Date(h.at))), ` ${h.actor?.displayName ?? 'system'} · ${h.action}`, h.reason ? el('span', { class: 'muted' }, ` — ${h.reason}`) : null)))),
    ].filter((n): n is HTMLElement => n !== null),
  );
  if (scroll) detailPane.scrollTop = 0;
}

function select(id: string) {
  selected = id;
  fresh.delete(id);
  history.replaceState(null, '', `#alert-${id}`);
  renderList();
  void showDetail(id);
}

function connect() {
  const socket: Socket<DeskServerToClientEvents, DeskClientToServerEvents> = io('/desk', { transports: ['websocket', 'polling'], withCredentials: true });
  const status = root?.querySelector<HTMLElement>('[data-live-status]');
  socket.on('connect', () => {
    if (status) {
      status.textContent = t('desk.live');
      status.dataset.state = 'live';
    }
    // Whatever happened while disconnected: the queue as it is now.
    void loadTab();
  });
  socket.on('disconnect', () => {
    if (status) {
      status.textContent = t('desk.offline');
      status.dataset.state = 'offline';
    }
  });
  socket.on('session:ended', () => window.location.reload());
  socket.on('alert:raised', ({ alert }) => {
    alerts.set(alert.id, alert);
    fresh.add(alert.id);
    renderList();
  });
  socket.on('alert:updated', ({ alert, change, actor }) => {
    alerts.set(alert.id, alert);
    renderList();
    if (alert.id !== selected) return;
    // Someone is typing a reply or a note here: tell them, don't wipe it.
    const typing = [...(detailPane?.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[type="text"], textarea') ?? [])].some((f) => f.value.trim() !== '');
    if (typing) notice(t('desk.changedMeanwhile', { change, actor: actor ?? '' }), 'error');
    else void showDetail(alert.id, false);
  });
}

if (root) {
  root.querySelectorAll<HTMLButtonElement>('[data-desk-tabs] button').forEach((b) =>
    b.addEventListener('click', () => {
      tab = b.dataset.status as Tab;
      root.querySelectorAll('[data-desk-tabs] button').forEach((x) => x.setAttribute('aria-selected', String(x === b)));
      void loadTab();
    }),
  );
  connect();
  const duty = root.querySelector<HTMLInputElement>('[data-duty]');
  if (duty) {
    void api<{ onDuty: boolean }>('GET', '/api/v1/desk/duty').then((d) => {
      duty.checked = d.onDuty;
      duty.disabled = false;
    });
    duty.addEventListener('change', () => {
      duty.disabled = true;
      void api<{ onDuty: boolean }>('PUT', '/api/v1/desk/duty', { onDuty: duty.checked })
        .then((d) => (duty.checked = d.onDuty))
        .catch(() => (duty.checked = !duty.checked))
        .finally(() => (duty.disabled = false));
    });
  }
  const initial = /^#alert-(\d+)$/.exec(window.location.hash)?.[1];
  if (initial) select(initial);
  setInterval(tickCountdowns, 1000);
}
