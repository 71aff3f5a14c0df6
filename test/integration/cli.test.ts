/** The `resonance` CLI as a user runs it: a real child process, real files, real backends. */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { requireElasticsearch } from '../support/elasticsearch';
import { createElasticsearchBackend } from '../../search/elasticsearch';
import { createEmbeddedBackend } from '../../search/embedded';

const BIN = path.resolve('bin/resonance.js');

function run(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-cli-'));

function mentionsFile(dir: string): string {
  const now = new Date().toISOString();
  const lines = [
    JSON.stringify({ source: 'weibo', externalId: '1', author: { handle: 'a', followers: 50_000 }, text: '声浪新车续航遥遥领先，好评', publishedAt: now }),
    JSON.stringify({ source: 'weibo', externalId: '2', author: { handle: 'b' }, text: '车机又死机了，太拉胯', publishedAt: now }),
    '{not json',
    JSON.stringify({ source: 'news', externalId: '3', author: { handle: 'c' }, text: '', publishedAt: now }),
    JSON.stringify({ source: 'weibo', externalId: '1', author: { handle: 'a' }, text: 'duplicate', publishedAt: now }),
    JSON.stringify({ source: 'xiaohongshu', externalId: 'x-4', author: { handle: 'd' }, text: 'Great range, love the new model!', publishedAt: now }),
  ];
  const file = path.join(dir, 'mentions.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('resonance CLI', function () {
  this.timeout(120_000);

  it('analyze: one JSON line out per line in, without a server or a database', async () => {
    const dataDir = path.join(tmp(), 'never-created');
    const input = ['{"text":"这次更新太拉胯了，续航掉得厉害"}', '{"text":"Absolutely love it, best purchase this year"}', '{"text": 42}', '{"text":"请问周六的活动几点开始？"}'].join('\n');
    const { code, stdout } = await run(['analyze'], { input, env: { DATA_DIR: dataDir } });
    expect(code).to.equal(0);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).to.have.length(4);
    expect(out[0].lang).to.equal('zh');
    expect(out[0].sentiment.label).to.equal('negative');
    expect(out[0].sentiment.score).to.be.within(-1, 0);
    expect(out[0].keywords).to.include('续航');
    expect(out[1]).to.deep.include({ lang: 'en' });
    expect(out[1].sentiment.label).to.equal('positive');
    expect(out[2]).to.have.property('error');
    expect(out[3].sentiment.label).to.equal('neutral');
    expect(fs.existsSync(dataDir)).to.equal(false);
  });

  it('analyze --source: a social source is scored with the Weibo model, a line\'s own source wins, the shape stays', async () => {
    const text = '今天天气真好，出去玩了一整天，开心';
    const input = [JSON.stringify({ text }), JSON.stringify({ text, source: 'forum' })].join('\n');
    const community = await run(['analyze'], { input: JSON.stringify({ text }) });
    const social = await run(['analyze', '--source=weibo'], { input });
    expect(social.code).to.equal(0);
    const [c] = community.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const [s, forum] = social.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(Object.keys(s).sort()).to.deep.equal(Object.keys(c).sort());
    expect(Object.keys(s.sentiment).sort()).to.deep.equal(['confidence', 'label', 'probabilities', 'reasons', 'score']);
    expect(s.sentiment.score).to.not.equal(c.sentiment.score);
    expect(forum).to.deep.equal(c);
  });

  it('import: accepts good lines, reports bad ones by line number, skips duplicates; reindex rebuilds the embedded index', async () => {
    const dir = tmp();
    const file = mentionsFile(dir);
    const imported = await run(['import', file], { env: { DATA_DIR: dir } });
    expect(imported.code).to.equal(1); // some lines were rejected
    const summary = JSON.parse(imported.stdout.trim().split('\n').at(-1)!);
    expect(summary).to.include({ lines: 6, accepted: 3, duplicates: 1, rejected: 2 });
    expect(imported.stderr).to.match(/line 3: not valid JSON/);
    expect(imported.stderr).to.match(/line 4: text/);
    const again = await run(['import', file], { env: { DATA_DIR: dir } });
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).to.include({ accepted: 0, duplicates: 4 });

    const reindexed = await run(['reindex'], { env: { DATA_DIR: dir } });
    expect(reindexed.code, reindexed.stderr).to.equal(0);
    expect(JSON.parse(reindexed.stdout.trim())).to.include({ backend: 'embedded', documents: 3 });
    const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
    await backend.init();
    expect(await backend.count()).to.equal(3);
    const found = await backend.search({ q: '拉胯', limit: 10 });
    expect(found.items.map((i) => i.author)).to.deep.equal(['b']);
    await backend.close();
  });

  it('reindex: builds a new Elasticsearch index and swaps the alias', async function () {
    const es = await requireElasticsearch(this);
    const dir = tmp();
    const prefix = `cli_${crypto.randomBytes(4).toString('hex')}`;
    const env = { DATA_DIR: dir, ELASTICSEARCH_URL: es.url, ELASTICSEARCH_INDEX_PREFIX: prefix };
    await run(['import', mentionsFile(dir)], { env });
    const first = await run(['reindex'], { env });
    expect(first.code, first.stderr).to.equal(0);
    const a = JSON.parse(first.stdout.trim());
    const second = await run(['reindex'], { env });
    const b = JSON.parse(second.stdout.trim());
    expect(a).to.include({ backend: 'elasticsearch', documents: 3 });
    expect(b.index).to.not.equal(a.index);
    const aliases = await (await fetch(`${es.url}/_alias/${prefix}-docs`)).json();
    expect(Object.keys(aliases)).to.deep.equal([b.index]);
    const backend = createElasticsearchBackend({ node: es.url, indexPrefix: prefix });
    expect(await backend.count()).to.equal(3);
    expect((await backend.search({ q: 'range', limit: 5 })).items.map((i) => i.source)).to.deep.equal(['xiaohongshu']);
    await backend.close();
  });
});
