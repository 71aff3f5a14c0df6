/**
 * Throughput of analyze() on a realistic mix of 20-200 character posts, next to raw jieba
 * cutting of the same texts so the overhead of everything else is visible.
 *
 *   node --import tsx bench/analysis.bench.ts [--seconds=3] [--posts=2000]
 *
 * Texts: the sentiment dev split (never the test split) when the corpora are present, else
 * synthetic posts; a fifth of them get forum decorations (@mentions, #tags#, URLs, emoji).
 * Also the English scorer alone (scoreEn) on one short normalised review: its cost per text.
 */
import os from 'node:os';
import { analyze } from '../search/analysis';
import { normalizeText } from '../search/analysis/normalize';
import { getJieba } from '../search/analysis/segment';
import { scoreEn } from '../search/analysis/sentiment-en';
import { corporaAvailable, loadSplits, rng, shuffle } from '../search/train/sentiment-data';
import { figure } from './support/headline';

const arg = (name: string, fallback: number): number => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};
const seconds = arg('seconds', 3);
const postCount = arg('posts', 2000);
const random = rng(7);

const SYNTHETIC = [
  '这款手机续航太差了，用了两天就发热，售后态度也很差',
  '华为Mate60遥遥领先，拍照真香，yyds',
  '请问这个版本什么时候推送OTA升级？',
  '车机系统经常死机闪退，导航还掉帧，希望官方尽快修复',
  '物流很快，包装完好，客服也很耐心，五星好评',
  'The battery life is great but the camera is not that good',
  '【公告】本周六晚10点论坛维护，敬请谅解',
  '降价背刺老用户，价保也不给，纯纯智商税',
];
const DECORATIONS = [' @小米客服', ' #吐槽#', ' https://weibo.com/12345', ' [怒]', ' 👍', ' 订单号2024051812345678', ' #新品发布#'];

function buildPosts(): { posts: string[]; source: string } {
  let base: string[];
  let source: string;
  if (corporaAvailable()) {
    base = loadSplits().rows.filter((r) => r.split === 'dev').map((r) => r.text.trim());
    source = 'sentiment dev split';
  } else {
    base = Array.from({ length: 200 }, (_, i) => SYNTHETIC[i % SYNTHETIC.length] + SYNTHETIC[(i * 3 + 1) % SYNTHETIC.length]);
    source = 'synthetic';
  }
  const posts = shuffle(base, random)
    .map((t) => t.slice(0, 180))
    .filter((t) => t.length >= 20)
    .slice(0, postCount)
    .map((t) => (random() < 0.2 ? t + DECORATIONS[Math.floor(random() * DECORATIONS.length)] : t));
  return { posts, source };
}

/**
 * Calls fn over the posts round-robin for about `seconds`. Returns calls per wall-clock second
 * and per second of this process's CPU time: on a shared machine the second is the per-core figure.
 */
function measure(posts: string[], fn: (text: string) => unknown): { wall: number; cpu: number } {
  let calls = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (const p of posts) fn(p);
    calls += posts.length;
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall: calls / wallSeconds, cpu: calls / ((cpu.user + cpu.system) / 1e6) };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const coldStart = performance.now();
analyze('冷启动：加载词典和模型');
const coldStartMs = performance.now() - coldStart;

const { posts, source } = buildPosts();
const jieba = getJieba();
for (const p of posts) analyze(p); // warm-up: JIT and caches

const loadBefore = os.loadavg()[0];
const jiebaCut = measure(posts, (t) => jieba.cut(t, true));
const analyzed = measure(posts, analyze);
const enText = normalizeText('Great customer service, they replaced my unit within a week.');
const enTexts = Array.from({ length: 100 }, () => enText);
for (let i = 0; i < 20; i++) for (const t of enTexts) scoreEn(t); // warm-up
const english = measure(enTexts, scoreEn);
const latencies = posts.map((p) => {
  const t = performance.now();
  analyze(p);
  return (performance.now() - t) * 1000;
}).sort((a, b) => a - b);

const perCpu = Math.round(analyzed.cpu);
const jiebaPerCpu = Math.round(jiebaCut.cpu);
console.log(JSON.stringify({
  benchmark: 'analysis.analyze',
  headline: [
    figure('analyze(), posts per CPU second', perCpu, 'posts/CPU-s', true, { params: { posts: posts.length, source }, reference: { what: 'raw jieba cut, same posts', value: jiebaPerCpu } }),
    figure('analyze() latency p99', Math.round(percentile(latencies, 0.99)), 'µs', false, { params: { posts: posts.length } }),
    figure('englishScore per 60-char text', Number((1e6 / english.cpu).toFixed(2)), 'µs CPU', false),
  ],
  params: { seconds, posts: posts.length, source, meanChars: Math.round(posts.reduce((s, p) => s + p.length, 0) / posts.length) },
  // loadAvg1 > cpus means other processes competed for the cores: trust the perCpuSecond figures more.
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAvg1: [loadBefore, os.loadavg()[0]].map((l) => Number(l.toFixed(2))) },
  results: {
    postsPerSecond: Math.round(analyzed.wall),
    postsPerCpuSecond: Math.round(analyzed.cpu),
    reference: { jiebaCutPerSecond: Math.round(jiebaCut.wall), jiebaCutPerCpuSecond: Math.round(jiebaCut.cpu) },
    overheadVsJiebaCut: Number((jiebaCut.cpu / analyzed.cpu).toFixed(2)),
    latencyMicros: { p50: Math.round(percentile(latencies, 0.5)), p99: Math.round(percentile(latencies, 0.99)) },
    coldStartMs: Math.round(coldStartMs),
    englishScore: {
      textChars: enText.length,
      microsPerText: Number((1e6 / english.wall).toFixed(2)),
      microsPerCpuText: Number((1e6 / english.cpu).toFixed(2)),
    },
  },
}, null, 2));
