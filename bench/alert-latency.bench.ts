/**
 * Benchmark: post-to-alert latency on the alert desk (issue #10), under steady background load.
 *
 *   node --import tsx bench/alert-latency.bench.ts [--rate 200] [--probe-rate 2] [--seconds 20]
 *     [--warmup-seconds 5] [--chapters 4] [--threads-per-chapter 5] [--members 8] [--quick]
 *
 * Resonance runs in its own process (one `all` process, embedded search, rate limits lifted, temp
 * DATA_DIR). Set up through the API: chapters, members who join them, background threads, one
 * fresh thread per probe, and a moderator (role set by the admin, then logged in). The bench sends
 * `rate` ordinary replies a second, open loop (neutral and positive zh/en, never a crisis term:
 * checked with the real analyser and watchword matcher before the run), round-robin over the
 * background threads and members, and `probe-rate` probe replies a second that must alert: crisis
 * watchwords (鼓包, 冒烟, 起火, 维权, 曝光 …) and strongly negative complaints. Each probe goes into its
 * own thread, so it opens a new case (`alert:raised`) rather than joining one (`alert:updated`).
 *
 * A /desk socket (the moderator) records when `alert:raised` arrives for each probe's post id
 * (`subject.postId`). Commit time follows console-freshness: the moment the 201 answer arrives
 * (the commit happened before it), so latency = 201 → alert:raised (`performance.now()`). Also
 * printed: the same from the post's server-side `createdAt` (stamped before the commit, wall clock,
 * ms resolution): the two bracket the true commit → desk time.
 * Reference, same run and same posts: the probe's 201 → `post:created` in its thread room, on a
 * second socket (the live-thread path, which needs no analysis and no rules).
 */
import { figure } from './support/headline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { killAll, rssMB, runBench } from './support/processes';
import { cpuSeconds } from './support/node-child';
import { machine } from './support/machine';
import { adminToken, api, arg, health, log, machineWithLoad, prng, round, sleep, startResonance, summary } from './support/listening';
import { analyze } from '../search/analysis';
import { compileWatchwords } from '../search/alerts/watchwords';

const quick = process.argv.includes('--quick');
const params = {
  rate: Number(arg('rate', '200')),
  probeRate: Number(arg('probe-rate', '2')),
  seconds: Number(arg('seconds', quick ? '5' : '20')),
  warmupSeconds: Number(arg('warmup-seconds', quick ? '2' : '5')),
  chapters: Number(arg('chapters', '4')),
  threadsPerChapter: Number(arg('threads-per-chapter', '5')),
  members: Number(arg('members', '8')),
  backend: 'embedded' as const,
  // --split: RESONANCE_ROLE=web (HTTP, sockets, alert rules) plus a worker process (analysis, indexing).
  roles: process.argv.includes('--split') ? 'web + worker' : 'one process (all)',
  seed: 13,
};
const GOAL_P99_MS = 1000;
const PASSWORD = 'bench password 123';

// ---- texts ---------------------------------------------------------------------------------

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const BRANDS = ['极光汽车', 'Aurora', '极光 X7', 'Aurora S', '极光'];
const CITIES = ['上海', '北京', '深圳', '杭州', '成都', '广州', '武汉'];
const FEATURES = ['续航', '充电', '车机', '智驾', '座椅', '内饰', '隔音', '空间'];
const GOOD = ['很满意', '超出预期', '真的香', '体验很好', '值得推荐', '没得说'];
/** Ordinary replies: neutral and positive, no complaint, no crisis term (checked before the run). */
const BACKGROUND: Array<(r: () => number) => string> = [
  (r) => `${pick(r, BRANDS)}的${pick(r, FEATURES)}${pick(r, GOOD)}，在${pick(r, CITIES)}跑了一周，${pick(r, FEATURES)}也不错。`,
  (r) => `提车${1 + Math.floor(r() * 11)}个月小结：${pick(r, FEATURES)}${pick(r, GOOD)}，${pick(r, FEATURES)}也${pick(r, GOOD)}。`,
  (r) => `求问${pick(r, CITIES)}的车友，周末有没有一起去跑山的？我开${pick(r, BRANDS)}，可以带两个人。`,
  (r) => `${pick(r, CITIES)}同城会本周六下午两点在滨江集合，记得带上车贴，拍完合照一起吃饭。`,
  (r) => `Test drove the ${pick(r, BRANDS)} in ${pick(r, ['Shanghai', 'Shenzhen', 'Hangzhou'])} today: ${pick(r, ['love the range', 'charging is fast', 'great value', 'the OTA update is solid'])}.`,
  (r) => `+1，我也是${pick(r, CITIES)}的，${pick(r, FEATURES)}这块确实${pick(r, GOOD)}。`,
  (r) => `分享一下今天的照片，${pick(r, CITIES)}的天气很好，${pick(r, BRANDS)}停在湖边很好看。`,
  () => 'Thanks for organising the meetup, see everyone next weekend!',
];
/** Probes that must alert: crisis watchwords (fire even when sentiment is mild) and strongly negative complaints. */
const PROBES: Array<{ kind: 'watchword' | 'negative'; text: string }> = [
  { kind: 'watchword', text: '电池鼓包了还冒烟，太吓人了' },
  { kind: 'negative', text: '售后太差了，预约三次都被改期，客服态度恶劣，完全不行，太失望了，再也不买了！' },
  { kind: 'watchword', text: '停在地库充电的时候起火了，消防来了才扑灭，有没有人管？' },
  { kind: 'negative', text: '车机死机三次，售后推诿，质量太差，垃圾，强烈不推荐！' },
  { kind: 'watchword', text: '门店拒绝保修，我们几个车主准备一起维权，已经联系媒体曝光了' },
  { kind: 'negative', text: 'Worst delivery experience ever, service centre ignored me, terrible, I want a refund.' },
];

const backgroundMatcher = compileWatchwords([]);
/** Whether the real analyser and matcher would leave a text alone (no negative label, no watchword). */
const quiet = (text: string) => {
  const a = analyze(text);
  return a.sentiment.label !== 'negative' && backgroundMatcher.match(a.tokens).length === 0;
};
/**
 * A background text that cannot alert. Combinations the model happens to read as negative (it
 * errs on some mild praise: issue #11) are drawn again, so the only cases come from the probes;
 * how many were redrawn is reported (check.redrawn).
 */
let redrawn = 0;
function backgroundText(rand: () => number): string {
  for (let i = 0; i < 20; i++) {
    const text = pick(rand, BACKGROUND)(rand);
    if (quiet(text)) return text;
    redrawn++;
  }
  throw new Error('no quiet background text in 20 draws');
}

/** What the real analyser and matcher make of n background texts: how many could alert. */
function checkBackground(n: number, seed: number) {
  const rand = prng(seed);
  const matcher = backgroundMatcher;
  let negative = 0;
  let watchword = 0;
  const labels = { negative: 0, neutral: 0, positive: 0 };
  for (let i = 0; i < n; i++) {
    const a = analyze(backgroundText(rand));
    labels[a.sentiment.label]++;
    if (a.sentiment.label === 'negative') negative++;
    if (matcher.match(a.tokens).length) watchword++;
  }
  const probes = PROBES.map((p) => {
    const a = analyze(p.text);
    return { kind: p.kind, label: a.sentiment.label, watch: matcher.match(a.tokens).map((m) => m.term) };
  });
  return { sampled: n, labels, negative, watchword, redrawnOf: n + redrawn, redrawn, probes };
}

// ---- the run -------------------------------------------------------------------------------

interface Sent { postId?: string; threadId: string; probe: boolean; kind?: 'watchword' | 'negative'; measured: boolean; sentAt: number; acceptedAt?: number; createdAtMs?: number }

async function main(): Promise<void> {
  const loadAtStart = machine().loadavg1m;
  const loadAvgAtStart = os.loadavg().map((x) => round(x, 2));
  const check = checkBackground(2_000, params.seed);
  if (check.negative || check.watchword || check.probes.some((p) => p.kind === 'watchword' ? p.watch.length === 0 : p.label !== 'negative')) {
    throw new Error(`texts are not what the bench needs: ${JSON.stringify(check)}`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-bench-'));
  try {
    const server = await startResonance('embedded', null, { dataDir, split: process.argv.includes('--split') });
    try {
      const base = server.base;
      const admin = await adminToken(base);
      const must = async <T>(what: string, p: Promise<{ status: number; json: T }>, status = 201): Promise<T> => {
        const r = await p;
        if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
        return r.json;
      };
      const tag = Date.now().toString(36).slice(-4);

      // People: members who post, one who posts the probes, a moderator at the desk.
      const register = async (name: string) => must(`register ${name}`, api<{ token: string; user: { username: string } }>(base, 'POST', '/api/v1/auth/register', null, { username: name, password: PASSWORD, displayName: name }));
      const members: Array<{ token: string; user: { username: string } }> = [];
      for (let i = 0; i < params.members; i++) members.push(await register(`bm_${tag}_${i}`));
      const prober = await register(`bp_${tag}`);
      const mod = await register(`bmod_${tag}`);
      await must('set role', api(base, 'PUT', `/api/v1/users/${mod.user.username}/role`, admin, { role: 'moderator', reason: 'bench desk' }), 200);
      const modToken = (await must('moderator login', api<{ token: string }>(base, 'POST', '/api/v1/auth/login', null, { username: mod.user.username, password: PASSWORD }), 200)).token;

      // Chapters and threads.
      const slugs: string[] = [];
      for (let c = 0; c < params.chapters; c++) {
        const slug = `bench-${tag}-${c}`;
        await must('chapter', api(base, 'POST', '/api/v1/chapters', admin, { slug, name: `${CITIES[c % CITIES.length]}同城会 ${c}`, city: CITIES[c % CITIES.length], visibility: 'public' }));
        for (const m of [...members, prober]) await must('join', api(base, 'POST', `/api/v1/chapters/${slug}/join`, m.token, {}), 200);
        slugs.push(slug);
      }
      const rand = prng(params.seed);
      const newThread = async (author: string, chapter: string, title: string) =>
        (await must('thread', api<{ thread: { id: string } }>(base, 'POST', '/api/v1/threads', author, { title, body: backgroundText(rand), chapter }))).thread.id;
      const bgThreads: string[] = [];
      for (const [c, slug] of slugs.entries()) for (let t = 0; t < params.threadsPerChapter; t++) bgThreads.push(await newThread(members[(c + t) % members.length].token, slug, `同城闲聊 ${c}-${t}`));
      const probeCount = Math.ceil(params.probeRate * (params.warmupSeconds + params.seconds)) + 2;
      const probeThreads: string[] = [];
      for (let i = 0; i < probeCount; i++) probeThreads.push(await newThread(members[i % members.length].token, slugs[i % slugs.length], `用车反馈 #${i + 1}`));
      log(`set up ${params.chapters} chapters, ${bgThreads.length} background threads, ${probeThreads.length} probe threads, ${members.length} members`);

      // Sockets: the desk (moderator) and a thread reader following every thread (reference).
      const raised = new Map<string, { at: number; wall: number }>(); // postId → first alert:raised
      const grouped = new Map<string, number>(); // postId → first alert:updated 'grouped' (should stay empty)
      const raisedOther: string[] = []; // alert:raised whose post was not a probe (spikes, background)
      const threadAt = new Map<string, number>(); // postId → post:created
      const desk = io(`${base}/desk`, { transports: ['websocket'], auth: { token: modToken }, forceNew: true });
      const reader = io(base, { transports: ['websocket'], auth: { token: modToken }, forceNew: true });
      desk.on('alert:raised', ({ alert }: { alert: { kind: string; subject: { postId?: string } } }) => {
        const id = alert.subject.postId;
        if (id && !raised.has(id)) raised.set(id, { at: performance.now(), wall: Date.now() });
        else if (!id) raisedOther.push(alert.kind);
      });
      desk.on('alert:updated', ({ alert, change }: { alert: { subject: { postId?: string } }; change: string }) => {
        const id = alert.subject.postId;
        if (id && change === 'grouped' && !grouped.has(id)) grouped.set(id, performance.now());
      });
      reader.on('post:created', ({ post }: { post: { id: string } }) => {
        if (!threadAt.has(post.id)) threadAt.set(post.id, performance.now());
      });
      await Promise.all([desk, reader].map((s) => new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); })));
      for (const threadId of [...bgThreads, ...probeThreads]) {
        const ack = await new Promise<{ ok: boolean }>((resolve) => reader.emit('thread:join', { threadId }, resolve));
        if (!ack.ok) throw new Error(`thread:join ${threadId}: ${JSON.stringify(ack)}`);
      }

      const sent: Sent[] = [];
      let bgSeq = 0;
      let probeSeq = 0;
      const post = (s: Sent, token: string, body: string) => {
        sent.push(s);
        void api<{ post: { id: string; createdAt: string } }>(base, 'POST', `/api/v1/threads/${s.threadId}/posts`, token, { body })
          .then((r) => {
            if (r.status !== 201) return;
            s.acceptedAt = performance.now();
            s.postId = r.json.post.id;
            s.createdAtMs = Date.parse(r.json.post.createdAt);
          })
          .catch(() => undefined);
      };
      const sendBackground = (measured: boolean) => {
        const i = bgSeq++;
        post({ threadId: bgThreads[i % bgThreads.length], probe: false, measured, sentAt: performance.now() }, members[i % members.length].token, backgroundText(rand));
      };
      const sendProbe = (measured: boolean) => {
        const i = probeSeq++;
        const p = PROBES[i % PROBES.length];
        post({ threadId: probeThreads[i], probe: true, kind: p.kind, measured, sentAt: performance.now() }, prober.token, p.text);
      };
      const drive = async (seconds: number, measured: boolean) => {
        const total = Math.round(params.rate * seconds);
        const probes = Math.round(params.probeRate * seconds);
        const t0 = performance.now();
        let i = 0;
        let j = 0;
        while (i < total || j < probes) {
          const now = performance.now();
          while (i < total && t0 + (i * 1000) / params.rate <= now) { sendBackground(measured); i++; }
          // Probes sit half a period off the grid, between background posts, not on top of one.
          while (j < probes && t0 + ((j + 0.5) * 1000) / params.probeRate <= now) { sendProbe(measured); j++; }
          await sleep(2);
        }
      };

      log(`warm-up ${params.warmupSeconds} s at ${params.rate} posts/s + ${params.probeRate} probes/s`);
      await drive(params.warmupSeconds, false);
      await sleep(2_000);
      const cpu0 = cpuSeconds(server.pid);
      const benchCpu0 = process.cpuUsage();
      const tMeasure = performance.now();
      const raisedOtherBefore = raisedOther.length;
      log(`measuring ${params.seconds} s`);
      await drive(params.seconds, true);
      const driveSeconds = (performance.now() - tMeasure) / 1000;
      const cpu1 = cpuSeconds(server.pid);
      const benchCpu = process.cpuUsage(benchCpu0);
      const measuredBg = sent.filter((s) => s.measured && !s.probe);
      const acceptedInWindow = measuredBg.filter((s) => s.acceptedAt !== undefined && s.acceptedAt - tMeasure <= driveSeconds * 1000).length;
      const probes = () => sent.filter((s) => s.measured && s.probe);
      const deadline = performance.now() + 30_000;
      while (performance.now() < deadline && (sent.some((s) => s.measured && s.acceptedAt === undefined) || probes().some((s) => !s.postId || !raised.has(s.postId)))) await sleep(100);
      await sleep(1_000);
      const pipeline = (await health(base)).pipeline;
      desk.close();
      reader.close();

      const measured = probes();
      const accepted = measured.filter((s) => s.acceptedAt !== undefined);
      const hit = accepted.filter((s) => raised.has(s.postId!));
      const lat = (xs: Sent[]) => summary(xs.map((s) => raised.get(s.postId!)!.at - s.acceptedAt!));
      const latency = lat(hit);
      const fromCreatedAt = summary(hit.map((s) => raised.get(s.postId!)!.wall - s.createdAtMs!));
      const reference = summary(accepted.filter((s) => threadAt.has(s.postId!)).map((s) => threadAt.get(s.postId!)! - s.acceptedAt!));
      const bgReference = summary(measuredBg.filter((s) => s.acceptedAt !== undefined && threadAt.has(s.postId!)).map((s) => threadAt.get(s.postId!)! - s.acceptedAt!));
      const bgPostIds = new Set(sent.filter((s) => !s.probe && s.postId).map((s) => s.postId!));
      const ps = { rate: params.rate, probeRate: params.probeRate, seconds: params.seconds };
      const result = {
        benchmark: 'alert-latency',
        headline: [
          figure('probe 201 → alert:raised p99', latency.p99, 'ms', false, { params: ps, reference: { what: "the probe's 201 → post:created in its thread room p99", value: reference.p99 } }),
          figure('probes raised', hit.length, `of ${measured.length}`, true, { params: ps }),
          figure('background posts accepted in the window', round(acceptedInWindow / driveSeconds, 1), 'posts/s', true, { params: ps, reference: { what: 'offered rate', value: params.rate } }),
        ],
        date: new Date().toISOString(),
        params: { ...params, quick },
        machine: { ...machineWithLoad(loadAtStart, machine()), loadavgAtStart: loadAvgAtStart, loadavgAtEnd: os.loadavg().map((x) => round(x, 2)) },
        textsCheck: check,
        probes: {
          sent: measured.length,
          accepted: accepted.length,
          raised: hit.length,
          notRaisedWithin30s: accepted.length - hit.length,
          groupedInsteadOfRaised: accepted.filter((s) => !raised.has(s.postId!) && grouped.has(s.postId!)).length,
          byKind: Object.fromEntries((['watchword', 'negative'] as const).map((k) => [k, { raised: hit.filter((s) => s.kind === k).length, of: accepted.filter((s) => s.kind === k).length, latencyMs: lat(hit.filter((s) => s.kind === k)) }])),
        },
        latencyMs: { description: "probe's 201 answer (after its commit) → alert:raised on the /desk socket", ...latency },
        fromCreatedAtMs: { description: "probe's server-side createdAt (before its commit; wall clock, ms) → alert:raised", ...fromCreatedAt },
        background: {
          offeredPerSec: params.rate,
          sent: measuredBg.length,
          accepted: measuredBg.filter((s) => s.acceptedAt !== undefined).length,
          acceptedPerSecInWindow: round(acceptedInWindow / driveSeconds, 1),
          acceptedPerSecToLast: round(measuredBg.filter((s) => s.acceptedAt !== undefined).length / (Math.max(tMeasure + 1, ...measuredBg.map((s) => s.acceptedAt ?? 0)) - tMeasure) * 1000, 1),
          postLatencyMs: summary(measuredBg.filter((s) => s.acceptedAt !== undefined).map((s) => s.acceptedAt! - s.sentAt)),
          alertsOnBackgroundPosts: [...raised.keys()].filter((id) => bgPostIds.has(id)).length,
          otherAlertsRaised: { total: raisedOther.length, duringMeasurement: raisedOther.length - raisedOtherBefore, kinds: [...new Set(raisedOther)] },
        },
        probePostLatencyMs: summary(accepted.map((s) => s.acceptedAt! - s.sentAt)),
        reference: {
          description: "the probe's 201 → post:created in its thread room (live-thread path: no analysis, no rules), same posts, same run",
          latencyMs: reference,
          backgroundReplies: bgReference,
        },
        ratioP99: reference.p99 ? round(latency.p99 / reference.p99, 1) : null,
        serverCpuCores: cpu0 !== null && cpu1 !== null ? round((cpu1 - cpu0) / driveSeconds, 2) : null,
        benchCpuCores: round((benchCpu.user + benchCpu.system) / 1e6 / driveSeconds, 2),
        serverRssMB: rssMB(server.pid),
        pipelineAtEnd: pipeline,
        goalP99Ms: GOAL_P99_MS,
        goalMet: latency.p99 <= GOAL_P99_MS && hit.length === measured.length && measured.length > 0,
      };
      log(`alert p50 ${latency.p50} ms p99 ${latency.p99} ms (${hit.length}/${measured.length} raised); reference p99 ${reference.p99} ms; background ${result.background.acceptedPerSecInWindow}/s in the window, ${result.background.acceptedPerSecToLast}/s to the last 201; load ${result.machine.loadavgAtEnd.join(' ')}`);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await server.stop();
    }
  } finally {
    await killAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
