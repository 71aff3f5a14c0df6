/** The `resonance` command: migrate, seed, analyze, import, reindex, retrain. */
import readline from 'node:readline';
import { loadConfig } from './config';
import { openDatabase, closeDatabase } from './db';
import { migrate } from './migrate';

const usage = `usage: resonance <command>
  migrate            apply database migrations
  seed [--demo]      fill a demo community (chapters, categories, members, posts)
  seed --size S      load a synthetic community into an empty database, in bulk: S is small (10k posts),
                     medium (100k posts, 10k members) or large (1M posts, 100k members); a worker then
                     analyses and indexes it from the outbox
  analyze [--source=S] read JSON lines {"text": "..."} on stdin, write one analysis per line (no server, no database);
                     S: community (default), social, general, or a source id (weibo, douyin, news, ...)
                     that picks the Chinese model; a line's own "source" overrides it
  import FILE.jsonl  ingest external mentions (one JSON item per line), with progress on stderr
  reindex            rebuild the search index from the database
  retrain [--write[=FILE]] [--weight=N] [--quick]
                     retrain the Chinese sentiment model with the community's labels; prints before/after figures`;

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate': {
      const config = loadConfig();
      const sequelize = await openDatabase(config);
      const applied = await migrate(sequelize);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
      await closeDatabase();
      return;
    }
    case 'seed': {
      const size = rest.find((a) => a.startsWith('--size='))?.slice('--size='.length) ?? (rest.includes('--size') ? rest[rest.indexOf('--size') + 1] : undefined);
      if (size !== undefined) {
        const { seedLarge, sizeParams, SIZES } = await import('./seed-large');
        if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
        await seedLarge(loadConfig(), sizeParams(size as keyof typeof SIZES));
        return;
      }
      const { seedDemo } = await import('./seed');
      await seedDemo(loadConfig(), { demo: rest.includes('--demo') });
      return;
    }
    case 'analyze':
      return analyzeStdin(rest);
    case 'import': {
      if (!rest[0]) throw new Error('usage: resonance import FILE.jsonl');
      const { importMentions } = await import('./commands/import');
      process.exitCode = await importMentions(loadConfig(), rest[0]);
      return;
    }
    case 'reindex': {
      const { reindex } = await import('./commands/reindex');
      await reindex(loadConfig());
      return;
    }
    case 'retrain': {
      const { retrain } = await import('./commands/retrain');
      await retrain(loadConfig(), rest);
      return;
    }
    default:
      console.error(usage);
      process.exitCode = command ? 2 : 0;
  }
}

/** CONTRACT (CLI): one output line per input line; a bad line gets {"error": ...} and never stops the stream. */
async function analyzeStdin(args: string[]): Promise<void> {
  const { analyze, parseSourceKind } = await import('../search/analysis');
  const flag = args.find((a) => a.startsWith('--source='));
  const defaultKind = parseSourceKind(flag ? flag.slice('--source='.length) : 'community');
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let out = '';
  const flush = () => {
    if (out) process.stdout.write(out);
    out = '';
  };
  for await (const line of lines) {
    if (!line.trim()) continue;
    let result: unknown;
    try {
      const input = JSON.parse(line) as { text?: unknown; source?: unknown };
      if (typeof input?.text !== 'string') throw new Error('each line must be a JSON object with a string "text"');
      const a = analyze(input.text, { kind: typeof input.source === 'string' ? parseSourceKind(input.source) : defaultKind });
      result = { lang: a.lang, sentiment: { label: a.sentiment.label, score: a.sentiment.score, confidence: a.sentiment.confidence, reasons: a.sentiment.reasons, probabilities: a.sentiment.probabilities }, keywords: a.keywords };
    } catch (err) {
      result = { error: err instanceof Error ? err.message : String(err) };
    }
    out += JSON.stringify(result) + '\n';
    if (out.length > 64 * 1024) flush();
  }
  flush();
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

