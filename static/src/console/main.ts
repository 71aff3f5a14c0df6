/**
 * The opinion console in the browser: filters → /api/v1/opinion/summary and /api/v1/kols →
 * charts, terms and the KOL table; the /console socket → the live stream and batched counts.
 * Every chart, term and row drills down to /console/search with the same filters.
 */
import { io, type Socket } from 'socket.io-client';
import { reasonText } from '../../../server/reasonText';
import type { ConsoleClientToServerEvents, ConsoleItem, ConsoleServerToClientEvents, OpinionDelta } from '../../../server/realtime/contract';
import { locale, t } from '../i18n';
import { readerZone } from '../times';

// Stream items' times in the reader's zone (chosen on /settings, else the browser's), 24-hour.
const streamTime = new Intl.DateTimeFormat(locale(), { timeStyle: 'medium', hourCycle: 'h23', timeZone: readerZone() });
import { bumpLastBucket, drawCharts, resizeCharts, type Drill } from './charts';
import type { Kol, Summary } from './types';

const RANGES: Record<string, number> = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const INTERVAL_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MAX_STREAM = 100;

const root = document.querySelector<HTMLElement>('[data-console]');
const form = document.querySelector<HTMLFormElement>('[data-console-filters]');

interface Filters {
  range: string;
  /** With range "custom": the datetime-local values (the viewer's wall clock), else ''. */
  customFrom: string;
  customTo: string;
  interval: string;
  chapter: string;
  source: string;
  sentiment: string;
  keyword: string;
  kol: boolean;
}

function readFilters(): Filters {
  const data = new FormData(form!);
  const get = (k: string) => String(data.get(k) ?? '');
  return {
    range: get('range') || '24h', customFrom: get('customFrom'), customTo: get('customTo'), interval: get('interval'),
    chapter: get('chapter'), source: get('source'), sentiment: get('sentiment'), keyword: get('keyword').trim(), kol: data.get('kol') === 'true',
  };
}

function autoInterval(span: number): 'minute' | 'hour' | 'day' {
  return span <= 3 * 3_600_000 ? 'minute' : span <= 7 * 86_400_000 ? 'hour' : 'day';
}

// The summary API's limits (server/routes/api/opinion.ts), rendered into the page.
const MAX_SPAN_DAYS = Number(root?.dataset.maxSpanDays) || 400;
const MAX_BUCKETS = Number(root?.dataset.maxBuckets) || 50_000;

type Window = { ok: true; from: Date; to: Date; interval: keyof typeof INTERVAL_MS } | { ok: false; error: string; field: 'from' | 'to' | 'interval' };

/**
 * The window the filters ask for: a preset ends now; a custom range is the two local times
 * (a datetime-local value without a zone parses as local time), checked against the API's limits.
 */
function windowOf(f: Filters): Window {
  let from: Date;
  let to: Date;
  if (f.range === 'custom') {
    if (!f.customFrom || !f.customTo) return { ok: false, error: t('console.range.incomplete'), field: f.customFrom ? 'to' : 'from' };
    from = new Date(f.customFrom);
    to = new Date(f.customTo);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return { ok: false, error: t('console.range.incomplete'), field: Number.isNaN(from.getTime()) ? 'from' : 'to' };
    if (from >= to) return { ok: false, error: t('console.range.order'), field: 'to' };
    if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * 86_400_000) return { ok: false, error: t('console.range.tooLong', { days: MAX_SPAN_DAYS }), field: 'from' };
  } else {
    to = new Date();
    from = new Date(to.getTime() - (RANGES[f.range] ?? RANGES['24h']));
  }
  const span = to.getTime() - from.getTime();
  const interval = (f.interval || autoInterval(span)) as keyof typeof INTERVAL_MS;
  const size = INTERVAL_MS[interval];
  // The same count as the API: buckets from the one holding `from` to `to`.
  const buckets = Math.ceil((to.getTime() - Math.floor(from.getTime() / size) * size) / size);
  if (buckets > MAX_BUCKETS) return { ok: false, error: t('console.range.tooManyBuckets', { count: buckets.toLocaleString(), max: MAX_BUCKETS.toLocaleString() }), field: 'interval' };
  return { ok: true, from, to, interval };
}

/** `yyyy-MM-ddTHH:mm` in the viewer's time zone: what a datetime-local input holds. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The query string shared by the summary, the KOL list and drill-downs. */
function queryOf(f: Filters, extra: Drill = {}): URLSearchParams {
  // While the range being typed is invalid, links follow the window the panels still show.
  const w = windowOf(f);
  const { from, to } = w.ok ? w : shownWindow ?? { from: new Date(Date.now() - RANGES['24h']), to: new Date() };
  const p = new URLSearchParams({ from: extra.from ?? from.toISOString(), to: extra.to ?? to.toISOString() });
  const set = (k: string, v: string | undefined) => v && p.set(k, v);
  set('chapter', extra.chapter ?? f.chapter);
  set('source', extra.source ?? f.source);
  set('sentiment', extra.sentiment ?? f.sentiment);
  set('keyword', f.keyword);
  if (extra.q) p.set('q', extra.q);
  if (f.kol) p.set('kol', 'true');
  return p;
}

/** Open the items behind a chart element in the staff search page. */
function drill(d: Drill) {
  const p = queryOf(readFilters(), d);
  // The search page takes q for keywords too: a keyword filter is a word search there.
  const kw = p.get('keyword');
  p.delete('keyword');
  if (kw && !p.get('q')) p.set('q', kw);
  window.location.href = `/console/search?${p}`;
}

const chapterNames = new Map<string, string>();
form?.querySelectorAll<HTMLOptionElement>('select[name="chapter"] option').forEach((o) => o.value && chapterNames.set(o.value, o.textContent ?? o.value));

let summary: Summary | null = null;
let bucketMs = INTERVAL_MS.hour;
/** The end of a custom window (live counts after it are not added), or null for a preset ending now. */
let windowEnd: number | null = null;
/** The window of the summary on screen. */
let shownWindow: { from: Date; to: Date } | null = null;

// ---- custom range ----
const customRange = form?.querySelector<HTMLFieldSetElement>('[data-range-custom]');
const fromInput = form?.querySelector<HTMLInputElement>('[data-range-from]');
const toInput = form?.querySelector<HTMLInputElement>('[data-range-to]');
const intervalSelect = form?.querySelector<HTMLSelectElement>('select[name="interval"]');
const rangeError = form?.querySelector<HTMLElement>('[data-range-error]');
const exportLink = root?.querySelector<HTMLAnchorElement>('[data-export]');

/** Show the custom inputs when "custom" is picked, starting from the window that was on screen. */
function syncCustomRange(previous: string) {
  const custom = readFilters().range === 'custom';
  if (customRange) customRange.hidden = !custom;
  if (!custom || !fromInput || !toInput) return;
  if (!fromInput.value || !toInput.value) {
    const to = new Date();
    toInput.value = localInputValue(to);
    fromInput.value = localInputValue(new Date(to.getTime() - (RANGES[previous] ?? RANGES['24h'])));
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const label = customRange?.querySelector<HTMLElement>('[data-range-zone]');
  if (label && zone) label.textContent = t('console.range.zone', { zone });
}

/** Mark the offending field and say why (or clear both); returns the window for chaining. */
function showRangeError(w: Window): Window {
  for (const el of [fromInput, toInput, intervalSelect]) {
    el?.setCustomValidity('');
    el?.removeAttribute('aria-invalid');
  }
  if (rangeError) {
    rangeError.hidden = w.ok;
    rangeError.textContent = w.ok ? '' : w.error;
  }
  if (!w.ok) {
    const el = w.field === 'from' ? fromInput : w.field === 'to' ? toInput : intervalSelect;
    el?.setCustomValidity(w.error);
    el?.setAttribute('aria-invalid', 'true');
  }
  root?.toggleAttribute('data-range-invalid', !w.ok);
  return w;
}

/** The CSV export of what the panels show (the same window and filters), computed when clicked. */
function exportHref(): string {
  return `/api/v1/opinion/export.csv?${queryOf(readFilters())}`;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${res.status}`);
  return (await res.json()) as T;
}

function setText(sel: string, text: string) {
  const el = root?.querySelector<HTMLElement>(sel);
  if (el) el.textContent = text;
}

function renderKpis(s: Summary) {
  const totals = s.buckets.reduce((a, b) => ({ total: a.total + b.total, negative: a.negative + b.negative, scoreSum: a.scoreSum + b.avgScore * b.total }), { total: 0, negative: 0, scoreSum: 0 });
  setText('[data-kpi="volume"]', totals.total.toLocaleString());
  setText('[data-kpi="negativeShare"]', totals.total ? `${((100 * totals.negative) / totals.total).toFixed(1)}%` : '—');
  setText('[data-kpi="avgScore"]', totals.total ? (totals.scoreSum / totals.total).toFixed(2) : '—');
  setText('[data-kpi="emerging"]', String(s.emerging?.length ?? 0));
}

function renderTerms(kind: 'keywords' | 'emerging', terms: { term: string; value: string }[]) {
  const list = root?.querySelector<HTMLOListElement>(`[data-terms="${kind}"]`);
  if (!list) return;
  list.replaceChildren();
  if (terms.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = t('console.empty');
    list.append(li);
    return;
  }
  for (const { term, value } of terms) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#';
    a.textContent = term;
    a.title = t('console.drill');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      drill({ q: term });
    });
    const v = document.createElement('span');
    v.className = 'muted';
    v.textContent = value;
    li.append(a, v);
    list.append(li);
  }
}

function renderKols(items: Kol[]) {
  const body = root?.querySelector<HTMLTableSectionElement>('[data-kols] tbody');
  if (!body) return;
  body.replaceChildren();
  if (items.length === 0) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.className = 'muted';
    td.textContent = t('console.empty');
    return;
  }
  items.slice(0, 10).forEach((k, i) => {
    const tr = body.insertRow();
    tr.insertCell().textContent = String(i + 1);
    const who = tr.insertCell();
    const name = k.displayName ?? k.username ?? k.handle ?? '';
    const link = document.createElement('a');
    link.href = k.url ?? (k.username ? `/u/${encodeURIComponent(k.username)}` : `/console/search?q=${encodeURIComponent(k.handle ?? '')}`);
    link.textContent = name;
    const src = document.createElement('span');
    src.className = 'muted small';
    src.textContent = ` ${k.source}`;
    who.append(link, src);
    if (k.reasons?.length) who.title = k.reasons.join('\n');
    const score = tr.insertCell();
    score.className = 'num';
    score.textContent = k.score.toFixed(1);
    const s = typeof k.sentiment === 'number' ? k.sentiment : k.sentiment?.score ?? null;
    const sent = tr.insertCell();
    sent.className = `num ${s === null ? '' : s < -0.2 ? 'neg' : s > 0.2 ? 'pos' : ''}`;
    sent.textContent = s === null ? '—' : s.toFixed(2);
  });
}

let refreshing: Promise<void> | null = null;
async function refresh() {
  // Nothing is asked for until the range is valid; the panels keep the last window meanwhile.
  if (!showRangeError(windowOf(readFilters())).ok) return;
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const f = readFilters();
      const w = windowOf(f);
      if (!w.ok) return;
      const p = queryOf(f);
      p.set('interval', w.interval);
      bucketMs = INTERVAL_MS[w.interval];
      windowEnd = f.range === 'custom' ? w.to.getTime() : null;
      const [s, kols] = await Promise.all([getJson<Summary>(`/api/v1/opinion/summary?${p}`), getJson<{ items: Kol[] }>(`/api/v1/kols?limit=10`).catch(() => ({ items: [] }))]);
      for (const c of s.byChapter) c.name = chapterNames.get(c.chapter) ?? c.chapter;
      for (const c of s.byChapter) c.slug = c.chapter;
      summary = s;
      shownWindow = { from: w.from, to: w.to };
      drawCharts(s, bucketMs, drill);
      renderKpis(s);
      renderTerms('keywords', s.topKeywords.slice(0, 15).map((k) => ({ term: k.term, value: String(k.count) })));
      renderTerms('emerging', (s.emerging ?? []).slice(0, 15).map((k) => ({ term: k.term, value: `×${k.score.toFixed(2)}` })));
      renderKols(kols.items);
    } catch {
      setText('[data-kpi="volume"]', '—');
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// ---- live stream ----
const stream = root?.querySelector<HTMLOListElement>('[data-stream]');
const pauseButton = root?.querySelector<HTMLButtonElement>('[data-pause]');
let paused = false;
const held: ConsoleItem[] = [];

function matches(item: ConsoleItem, f: Filters): boolean {
  if (f.chapter && item.chapter?.slug !== f.chapter) return false;
  if (f.source && item.source !== f.source) return false;
  if (f.sentiment && item.sentiment.label !== f.sentiment) return false;
  if (f.keyword && !item.keywords.includes(f.keyword) && !item.text.includes(f.keyword)) return false;
  if (f.kol && !item.author.kol) return false;
  return true;
}

function streamItem(item: ConsoleItem): HTMLLIElement {
  const li = document.createElement('li');
  li.className = `stream-item sentiment-${item.sentiment.label}`;
  li.dataset.itemId = item.id;
  const meta = document.createElement('div');
  meta.className = 'stream-meta';
  const badge = document.createElement('span');
  badge.className = `sentiment-badge ${item.sentiment.label}`;
  badge.textContent = t(`sentiment.${item.sentiment.label}`);
  const who = document.createElement('strong');
  who.textContent = item.author.displayName;
  meta.append(badge, who);
  if (item.author.kol) {
    const kol = document.createElement('span');
    kol.className = 'tag kol';
    kol.textContent = t('console.kol');
    meta.append(kol);
  }
  const where = document.createElement('span');
  where.className = 'muted';
  where.textContent = `${item.chapter?.name ?? item.source} · ${streamTime.format(new Date(item.createdAt))}`;
  meta.append(where);
  const text = document.createElement(item.url ? 'a' : 'p');
  text.className = 'stream-text';
  text.textContent = item.text;
  if (item.url && text instanceof HTMLAnchorElement) text.href = item.url;
  li.append(meta, text);
  if (item.reasons.length) {
    const why = document.createElement('p');
    why.className = 'reasons';
    why.title = t('console.reasons');
    for (const r of item.reasons.slice(0, 6)) {
      const chip = document.createElement('span');
      chip.className = 'reason';
      chip.textContent = reasonText(r, t);
      why.append(chip);
    }
    li.append(why);
  }
  return li;
}

function show(items: ConsoleItem[]) {
  if (!stream) return;
  stream.querySelector('.stream-empty')?.remove();
  const f = readFilters();
  for (const item of items) if (matches(item, f)) stream.prepend(streamItem(item));
  while (stream.children.length > MAX_STREAM) stream.lastElementChild?.remove();
}

function updatePauseLabel() {
  if (!pauseButton) return;
  pauseButton.textContent = paused ? (held.length ? t('console.resume', { count: held.length }) : t('console.resumeNone')) : t('console.pause');
  pauseButton.setAttribute('aria-pressed', String(paused));
}

pauseButton?.addEventListener('click', () => {
  paused = !paused;
  if (!paused) show(held.splice(0));
  updatePauseLabel();
});

// ---- live counts ----
function applyDelta(d: OpinionDelta) {
  const f = readFilters();
  // Filtered views can't add unfiltered counts: refetch, at most every few seconds.
  if (!summary || f.chapter || f.source || f.sentiment || f.keyword || f.kol) return scheduleRefresh();
  // A custom window that has ended does not grow.
  if (windowEnd !== null && Date.parse(d.at) >= windowEnd) return;
  const last = summary.buckets.at(-1);
  if (!last || Date.parse(d.at) >= Date.parse(last.t) + bucketMs) return scheduleRefresh();
  const before = last.total;
  last.total += d.total;
  last.negative += d.negative;
  last.neutral += d.neutral;
  last.positive += d.positive;
  last.avgScore = last.total ? (last.avgScore * before + d.scoreSum) / last.total : 0;
  bumpLastBucket(summary);
  renderKpis(summary);
}

let refreshTimer: number | null = null;
function scheduleRefresh() {
  refreshTimer ??= window.setTimeout(() => {
    refreshTimer = null;
    void refresh();
  }, 3_000);
}

/** Fill the stream with the newest items on load, so a console opened on a quiet minute is not blank. */
async function seedStream() {
  try {
    const res = await getJson<{ items: { id: string; kind: 'post' | 'mention'; text: string; sentiment: { label: 'negative' | 'neutral' | 'positive'; score: number }; author: string; kol: boolean; chapter?: string; source: string; url?: string; createdAt: string }[] }>('/api/v1/search?limit=20');
    const items: ConsoleItem[] = res.items.reverse().map((h) => ({
      id: h.id,
      kind: h.kind,
      text: h.text.length > 280 ? `${h.text.slice(0, 280)}…` : h.text,
      author: { handle: h.author, displayName: h.author, followers: null, kol: h.kol },
      chapter: h.chapter ? { slug: h.chapter, name: chapterNames.get(h.chapter) ?? h.chapter } : null,
      source: h.source,
      sentiment: { ...h.sentiment, confidence: 1 },
      reasons: [],
      keywords: [],
      url: h.url ?? null,
      createdAt: h.createdAt,
      analyzedAt: h.createdAt,
    }));
    const seen = new Set([...(stream?.querySelectorAll<HTMLElement>('[data-item-id]') ?? [])].map((el) => el.dataset.itemId));
    show(items.filter((i) => !seen.has(i.id))); // oldest first: each is prepended, so the newest ends on top
  } catch {
    // The stream fills as items arrive.
  }
}

function connect() {
  const socket: Socket<ConsoleServerToClientEvents, ConsoleClientToServerEvents> = io('/console', { transports: ['websocket', 'polling'], withCredentials: true });
  const status = root?.querySelector<HTMLElement>('[data-live-status]');
  socket.on('connect', () => {
    if (status) {
      status.textContent = t('console.live');
      status.dataset.state = 'live';
    }
    void refresh(); // catch up on what was missed while away
  });
  socket.on('disconnect', () => {
    if (status) {
      status.textContent = t('console.offline');
      status.dataset.state = 'offline';
    }
  });
  socket.on('item:analyzed', ({ item }) => {
    if (paused) {
      held.push(item);
      if (held.length > 1_000) held.shift();
      updatePauseLabel();
    } else show([item]);
  });
  socket.on('opinion:updated', applyDelta);
  socket.on('session:ended', () => window.location.reload());
}

if (root && form) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void refresh();
  });
  let range = readFilters().range;
  form.addEventListener('change', () => {
    syncCustomRange(range);
    range = readFilters().range;
    void refresh();
  });
  form.addEventListener('reset', () =>
    setTimeout(() => {
      syncCustomRange(range);
      range = readFilters().range;
      void refresh();
    }, 0),
  );
  exportLink?.addEventListener('click', (e) => {
    if (!showRangeError(windowOf(readFilters())).ok) e.preventDefault();
    else exportLink.href = exportHref();
  });
  window.addEventListener('resize', resizeCharts);
  // Emerging terms and the KOL table change slowly; live counts arrive by socket in between.
  window.setInterval(() => void refresh(), 60_000);
  void refresh();
  void seedStream();
  connect();
}
