/** The console's charts: Apache ECharts, only the parts used, bundled into our own static assets (no CDN). */
import * as echarts from 'echarts/core';
import { readerZone } from '../times';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { t } from '../i18n';
import type { Summary, Counts } from './types';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

export const COLORS = { negative: '#d1453b', neutral: '#9aa4ad', positive: '#1f9d6a', score: '#0f766e' };
const LABELS = ['negative', 'neutral', 'positive'] as const;

/** What a click on a chart means: the filters of the items behind that bar or point. */
export interface Drill {
  from?: string;
  to?: string;
  sentiment?: string;
  chapter?: string;
  source?: string;
  q?: string;
}

type Chart = ReturnType<typeof echarts.init>;
const charts = new Map<string, Chart>();

function chartIn(name: string, onDrill: (d: Drill) => void, drillOf: (p: { name: string; seriesName?: string; dataIndex: number; seriesId?: string }) => Drill | null): Chart | null {
  const el = document.querySelector<HTMLElement>(`[data-chart="${name}"]`);
  if (!el) return null;
  let chart = charts.get(name);
  if (!chart) {
    chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.on('click', (p) => {
      const d = drillOf(p as never);
      if (d) onDrill(d);
    });
    charts.set(name, chart);
  }
  return chart;
}

const sentimentSeries = (rows: Counts[], horizontal: boolean) =>
  LABELS.map((label) => ({
    id: label,
    name: t(`sentiment.${label}`),
    type: 'bar' as const,
    stack: 'sentiment',
    itemStyle: { color: COLORS[label] },
    emphasis: { focus: 'series' as const },
    data: rows.map((r) => r[label]),
    barMaxWidth: horizontal ? 18 : 28,
  }));

const labelOfSeries = (seriesId: string | undefined) => (LABELS as readonly string[]).includes(String(seriesId)) ? String(seriesId) : undefined;

/** The volume chart's totals on its element, so people with a screen reader (and tests) can read them. */
function markTotals(s: Summary): void {
  const el = document.querySelector<HTMLElement>('[data-chart="volume"]');
  if (!el) return;
  const sum = (k: 'total' | 'negative' | 'neutral' | 'positive') => String(s.buckets.reduce((n, b) => n + b[k], 0));
  el.dataset.total = sum('total');
  el.dataset.negative = sum('negative');
  el.dataset.neutral = sum('neutral');
  el.dataset.positive = sum('positive');
  el.setAttribute('aria-label', `${t('console.kpi.volume')} ${el.dataset.total}, ${t('sentiment.negative')} ${el.dataset.negative}`);
}

/** Draw every chart of a summary; `bucketMs` turns a bucket into its [from, to) for drill-downs. */
export function drawCharts(s: Summary, bucketMs: number, onDrill: (d: Drill) => void): void {
  const volume = chartIn('volume', onDrill, (p) => {
    const b = s.buckets[p.dataIndex];
    if (!b) return null;
    return { from: b.t, to: new Date(Date.parse(b.t) + bucketMs).toISOString(), sentiment: labelOfSeries(p.seriesId) };
  });
  // In the reader's zone (their setting, as every time on the site), not the browser's.
  const fmt = new Intl.DateTimeFormat(document.body.dataset.locale ?? 'zh-CN', { timeZone: readerZone(), ...(bucketMs >= 86_400_000 ? { month: 'numeric', day: 'numeric' } : { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) });
  volume?.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 44, right: 48, top: 36, bottom: 48 },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8 }],
      xAxis: { type: 'category', data: s.buckets.map((b) => fmt.format(new Date(b.t))) },
      yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value', min: -1, max: 1, splitLine: { show: false } }],
      series: [
        ...sentimentSeries(s.buckets, false),
        { id: 'avgScore', name: t('console.avgScore'), type: 'line', yAxisIndex: 1, smooth: true, showSymbol: false, itemStyle: { color: COLORS.score }, data: s.buckets.map((b) => (b.total ? Number(b.avgScore.toFixed(3)) : null)) },
      ],
    },
    { replaceMerge: ['series', 'xAxis'] },
  );
  markTotals(s);

  const chapters = s.byChapter.slice(0, 12).reverse();
  chartIn('chapters', onDrill, (p) => ({ chapter: chapters[p.dataIndex]?.slug ?? chapters[p.dataIndex]?.chapter, sentiment: labelOfSeries(p.seriesId) }))?.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: chapters.map((c) => c.name ?? c.chapter) },
      series: sentimentSeries(chapters, true),
    },
    { replaceMerge: ['series', 'yAxis'] },
  );

  const sources = s.bySource.slice(0, 12).reverse();
  chartIn('sources', onDrill, (p) => ({ source: sources[p.dataIndex]?.source, sentiment: labelOfSeries(p.seriesId) }))?.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: sources.map((c) => c.source) },
      series: sentimentSeries(sources, true),
    },
    { replaceMerge: ['series', 'yAxis'] },
  );

  const sov = s.shareOfVoice ?? [];
  const sovEl = document.querySelector<HTMLElement>('[data-chart="sov"]');
  const sovEmpty = document.querySelector<HTMLElement>('[data-sov-empty]');
  // No watch lists yet: say so instead of drawing empty axes.
  if (sovEl) sovEl.hidden = sov.length === 0;
  if (sovEmpty) sovEmpty.hidden = sov.length > 0;
  if (sov.length === 0) return;
  chartIn('sov', onDrill, (p) => ({ q: sov[p.dataIndex]?.key, sentiment: labelOfSeries(p.seriesId) }))?.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: sov.map((g) => g.key) },
      yAxis: { type: 'value', minInterval: 1 },
      series: sentimentSeries(sov, false),
    },
    { replaceMerge: ['series', 'xAxis'] },
  );
}

/** Add live counts to the last bucket of the volume chart without a refetch. */
export function bumpLastBucket(s: Summary): void {
  const chart = charts.get('volume');
  if (!chart || s.buckets.length === 0) return;
  chart.setOption({
    series: [
      ...LABELS.map((label) => ({ id: label, data: s.buckets.map((b) => b[label]) })),
      { id: 'avgScore', data: s.buckets.map((b) => (b.total ? Number(b.avgScore.toFixed(3)) : null)) },
    ],
  });
  markTotals(s);
}

/** Keep charts sized to their panels. */
export function resizeCharts(): void {
  for (const c of charts.values()) c.resize();
}
