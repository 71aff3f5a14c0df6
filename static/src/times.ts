/**
 * Times in the browser: every <time data-ago> reads "3 分钟前" and is kept fresh in place (same
 * element, same line: no layout shift), with the full date-time in the reader's zone on hover.
 * Live-arrived posts get their <time> from timeElement(), the same shape as {{ago}} on the server.
 */
import { formatFull, formatRelative } from '../../server/timeFormat';
import { locale, t } from './i18n';

const REFRESH_MS = 30_000;

/**
 * The zone to write times in: the member's chosen one (the server wrote the page in it), else the
 * browser's own, else the community default the server used.
 */
export function readerZone(): string {
  const page = document.body.dataset.timeZone || 'Asia/Shanghai';
  if (document.body.dataset.timeZoneChosen !== undefined) return page;
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || page;
  } catch {
    return page;
  }
}

function paint(el: HTMLTimeElement, zone: string, now: number): void {
  const at = new Date(el.dateTime);
  if (Number.isNaN(at.getTime())) return;
  const text = formatRelative(locale(), zone, at, now, t('time.justNow'));
  if (el.textContent !== text) el.textContent = text;
  const title = formatFull(locale(), zone, at);
  if (el.title !== title) el.title = title;
}

/** A <time> for a moment, as the server's {{ago}} writes it. */
export function timeElement(iso: string): HTMLTimeElement {
  const el = document.createElement('time');
  el.dateTime = iso;
  el.dataset.ago = '';
  paint(el, readerZone(), Date.now());
  return el;
}

/** Repaint every relative time now and every REFRESH_MS; full times (data-local) follow the reader's zone. */
export function keepTimesFresh(root: ParentNode = document): void {
  const zone = readerZone();
  const pageZone = document.body.dataset.timeZone;
  const repaint = () => {
    const now = Date.now();
    root.querySelectorAll<HTMLTimeElement>('time[data-ago]').forEach((el) => paint(el, zone, now));
  };
  repaint();
  window.setInterval(repaint, REFRESH_MS);
  if (zone === pageZone) return;
  root.querySelectorAll<HTMLTimeElement>('time[data-local]').forEach((el) => {
    const at = new Date(el.dateTime);
    if (!Number.isNaN(at.getTime())) el.textContent = formatFull(locale(), zone, at);
  });
}
