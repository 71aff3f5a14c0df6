/**
 * The run report of `bench/run.ts`: latest.json (every bench's whole JSON document), latest.md (a
 * table of every headline figure) and latest.svg (each figure's ratio to its same-run reference).
 * Pure functions of a `BenchRun`, so the unit test can build the files from a fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Headline } from './headline';

/** One bench's process: exit code (null when killed by a signal), wall seconds, parsed stdout. */
export interface BenchOutcome {
  exitCode: number | null;
  seconds: number;
  result: unknown;
}

/** What latest.json holds. */
export interface BenchRun {
  startedAt: string;
  finishedAt: string | null;
  quick: boolean;
  args: string[];
  machine: Record<string, unknown>;
  /** Where the Elasticsearch benches' node came from: 'none', 'ELASTICSEARCH_URL', or shared by the run. */
  elasticsearch?: string;
  benches: Record<string, BenchOutcome>;
}

/**
 * The JSON document in a bench's stdout: the last `{`-led block that parses. Benches print one
 * document, but a child's stray line must not make the whole bench unreadable.
 */
export function parseBenchOutput(stdout: string): unknown {
  const lines = stdout.split('\n');
  const starts = lines.flatMap((l, i) => (l.startsWith('{') ? [i] : []));
  const ends = lines.flatMap((l, i) => (l.trimEnd().endsWith('}') ? [i] : []));
  for (const s of starts.reverse()) {
    for (const e of [...ends].reverse()) {
      if (e < s) break;
      try {
        return JSON.parse(lines.slice(s, e + 1).join('\n'));
      } catch {
        // not a whole document: try a shorter span
      }
    }
  }
  return null;
}

/** A bench failed when it exited non-zero or printed no document. */
export function failed(o: BenchOutcome): boolean {
  return o.exitCode !== 0 || o.result === null || typeof o.result !== 'object';
}

/** The bench's headline figures, or [] when it has none (or failed before printing them). */
export function headlineOf(o: BenchOutcome): Headline[] {
  const h = (o.result as { headline?: unknown } | null)?.headline;
  return Array.isArray(h) ? (h as Headline[]).filter((x) => x && typeof x.figure === 'string') : [];
}

/** A number for a table cell: 3 significant digits below 100, thousands separators above. */
export function formatNumber(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

/** One line naming the machine: cores, model, memory, Node, platform, load at start and end. */
export function machineLine(run: BenchRun): string {
  const m = run.machine as Record<string, string | number | undefined>;
  const parts = [
    `${m.cpus} × ${m.cpuModel}`,
    `${formatNumber(Number(m.totalMemMB))} MB RAM`,
    `node ${m.node}`,
    String(m.platform),
    `load (1 min) ${m.loadavg1mAtStart ?? m.loadavg1m} at start${m.loadavg1mAtEnd !== undefined ? `, ${m.loadavg1mAtEnd} at end` : ''}`,
  ];
  return parts.join(', ');
}

// '<' would start an HTML tag in Markdown; '|' would end the cell.
const cell = (s: string) => s.replace(/</g, '&lt;').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const withUnit = (v: number, unit: string) => (unit ? `${formatNumber(v)} ${cell(unit)}` : formatNumber(v));
const paramsText = (p: Record<string, unknown> | undefined) =>
  p ? Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') : '';

/** latest.md: the machine, the run, one row per headline figure, a failed bench as one row. */
export function renderMarkdown(run: BenchRun, svgFile = 'latest.svg'): string {
  const names = Object.keys(run.benches);
  const failedNames = names.filter((n) => failed(run.benches[n]));
  // Wall time of the whole run when it finished (it includes a shared Elasticsearch's start-up), else the benches' sum.
  const totalSeconds = run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : names.reduce((s, n) => s + run.benches[n].seconds, 0);
  const out = [
    '# Benchmark results',
    '',
    `Run ${run.startedAt} → ${run.finishedAt ?? '(unfinished)'}${run.quick ? ' (`--quick`)' : ''}, ${names.length} benches in ${formatNumber(totalSeconds)} s` +
      `${failedNames.length ? `, **${failedNames.length} failed** (${failedNames.join(', ')})` : ', none failed'}. Command: \`npm run bench${run.args.length ? ` -- ${run.args.join(' ')}` : ''}\`.`,
    '',
    `Machine: ${machineLine(run)}. Load generators, servers and references share these CPUs: read the ratio to the same-run reference before the absolute value.` +
      `${run.elasticsearch && run.elasticsearch !== 'none' ? ` Elasticsearch: ${run.elasticsearch}.` : ''}`,
    '',
    `![each figure's ratio to its same-run reference](${svgFile})`,
    '',
    '| bench | figure | value | better | same-run reference | ratio | parameters |',
    '|---|---|---:|---|---|---:|---|',
  ];
  for (const name of names) {
    const o = run.benches[name];
    if (failed(o)) {
      out.push(`| ${name} | **failed** (exit code ${o.exitCode ?? 'signal'} after ${formatNumber(o.seconds)} s${o.result === null ? ', no JSON document' : ''}) | | | | | |`);
      continue;
    }
    const figures = headlineOf(o);
    if (!figures.length) out.push(`| ${name} | (no headline figures) | | | | | |`);
    for (const h of figures) {
      const ref = h.reference ? `${cell(h.reference.what)}: ${withUnit(h.reference.value, h.unit)}` : '';
      const ratio = h.ratio !== undefined ? `${formatNumber(h.ratio)}×` : '';
      out.push(`| ${name} | ${cell(h.figure)} | ${withUnit(h.value, h.unit)} | ${h.higherIsBetter ? 'higher' : 'lower'} | ${ref} | ${ratio} | ${cell(paramsText(h.params))} |`);
    }
  }
  out.push('', `ratio = value ÷ reference. Seconds per bench: ${names.map((n) => `${n} ${formatNumber(run.benches[n].seconds)}`).join(', ')}.`, '');
  return out.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * latest.svg: one horizontal bar per figure that has a same-run reference, on a log scale centred
 * on 1× (the reference), because the ratios run from a few thousandths to a few hundred.
 */
export function renderSvg(run: BenchRun): string {
  const rows = Object.entries(run.benches).flatMap(([name, o]) =>
    failed(o) ? [] : headlineOf(o).filter((h) => typeof h.ratio === 'number' && Number.isFinite(h.ratio) && h.ratio > 0).map((h) => ({ name, h })));
  const failedNames = Object.keys(run.benches).filter((n) => failed(run.benches[n]));
  const labelW = 430;
  const plotW = 420;
  const rowH = 18;
  const top = 58;
  const width = labelW + plotW + 90;
  const height = top + Math.max(rows.length, 1) * rowH + 50 + (failedNames.length ? 18 : 0);
  const ratios = rows.map((r) => r.h.ratio as number);
  const lo = Math.floor(Math.log10(Math.min(1, ...ratios)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(1, ...ratios))));
  const x = (r: number) => labelW + ((Math.log10(r) - lo) / (hi - lo)) * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${xml(`Each figure ÷ its same-run reference (log scale)${run.quick ? ', --quick' : ''}`)}</text>`,
    `<text x="10" y="34" fill="#555">${xml(`${run.startedAt.slice(0, 16).replace('T', ' ')} UTC — ${machineLine(run)}`)}</text>`,
    `<text x="10" y="48" fill="#555">${xml('blue: higher is better (1× = the reference ceiling); orange: lower is better (1× = the reference floor)')}</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    const gx = x(10 ** p);
    parts.push(`<line x1="${gx.toFixed(1)}" y1="${top - 4}" x2="${gx.toFixed(1)}" y2="${top + rows.length * rowH}" stroke="${p === 0 ? '#333' : '#ddd'}"/>`);
    parts.push(`<text x="${gx.toFixed(1)}" y="${top + rows.length * rowH + 14}" text-anchor="middle" fill="#555">${xml(`${formatNumber(10 ** p)}×`)}</text>`);
  }
  rows.forEach(({ name, h }, i) => {
    const y = top + i * rowH;
    const r = h.ratio as number;
    const x0 = Math.min(x(1), x(r));
    const w = Math.max(1, Math.abs(x(r) - x(1)));
    const label = `${name}: ${h.figure}`;
    parts.push(`<text x="${labelW - 8}" y="${y + 12}" text-anchor="end">${xml(label.length > 72 ? `${label.slice(0, 71)}…` : label)}</text>`);
    parts.push(`<rect x="${x0.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${h.higherIsBetter ? '#4a7fc1' : '#e08a3c'}"><title>${xml(`${label}: ${formatNumber(h.value)} ${h.unit} vs ${h.reference?.what} ${formatNumber(h.reference?.value)}`)}</title></rect>`);
    parts.push(`<text x="${(Math.max(x(1), x(r)) + 4).toFixed(1)}" y="${y + 12}">${xml(`${formatNumber(r)}×`)}</text>`);
  });
  if (!rows.length) parts.push(`<text x="${labelW}" y="${top + 12}" fill="#555">no figure with a same-run reference in this run</text>`);
  if (failedNames.length) parts.push(`<text x="10" y="${height - 12}" fill="#b00">${xml(`failed: ${failedNames.join(', ')}`)}</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** Writes latest.json, latest.md and latest.svg into dir; returns their paths. */
export function writeReport(dir: string, run: BenchRun): { json: string; md: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const files = { json: path.join(dir, 'latest.json'), md: path.join(dir, 'latest.md'), svg: path.join(dir, 'latest.svg') };
  fs.writeFileSync(files.json, `${JSON.stringify(run, null, 2)}\n`);
  fs.writeFileSync(files.svg, renderSvg(run));
  fs.writeFileSync(files.md, renderMarkdown(run, path.basename(files.svg)));
  return files;
}
