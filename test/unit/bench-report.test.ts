/**
 * The benchmark run report (bench/support/report.ts) from a fixture run: the headline contract,
 * stdout parsing, and the three files written into a temp dir — a table row per figure, a failed
 * bench reported as failed, the chart's bars on the right side of 1×.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { figure } from '../../bench/support/headline';
import { formatNumber, parseBenchOutput, renderSvg, writeReport, type BenchRun } from '../../bench/support/report';

function fixture(): BenchRun {
  return {
    startedAt: '2026-12-02T03:00:00.000Z',
    finishedAt: '2026-12-02T03:05:00.000Z',
    quick: true,
    args: ['--quick'],
    machine: { cpus: 2, cpuModel: 'Test CPU', node: 'v20.0.0', platform: 'linux-x64', totalMemMB: 24105, loadavg1m: 1.5, loadavg1mAtStart: 1.5, loadavg1mAtEnd: 2.25 },
    benches: {
      'thread-page': {
        exitCode: 0,
        seconds: 42.5,
        result: {
          benchmark: 'thread-page',
          headline: [
            figure('anonymous page throughput', 3488.1, 'req/s', true, { params: { connections: 10 }, reference: { what: 'bare node:http, same bytes', value: 7365.6 } }),
            figure('p99 <latency> & more', 45, 'ms', false, { params: { clients: 1000 }, reference: { what: 'raw Socket.IO', value: 30 } }),
          ],
        },
      },
      profile: {
        exitCode: 0,
        seconds: 3,
        result: JSON.parse(JSON.stringify({ bench: 'profile', headline: [figure('loadProfile p95', 5.5, 'ms', false), figure('nothing measured', undefined, 'ms', false), figure('precision@10', 1, '', true, { reference: { what: 'followers', value: 0.5 } })] })),
      },
      fanout: { exitCode: 1, seconds: 7, result: null },
    },
  };
}

describe('bench report', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-report-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('figure() computes the ratio to a same-run reference and marks missing values', () => {
    const h = figure('x', 50, 'ms', false, { reference: { what: 'floor', value: 20 } });
    expect(h.ratio).to.equal(2.5);
    expect(h.reference).to.deep.equal({ what: 'floor', value: 20 });
    expect(figure('y', 1, 'ms', true)).to.not.have.property('ratio');
    expect(figure('z', 1, 'ms', true, { reference: { what: 'none', value: undefined } })).to.not.have.property('reference');
    const missing = figure('w', undefined, 'ms', true, { reference: { what: 'r', value: 3 } });
    expect(Number.isNaN(missing.value)).to.equal(true);
    expect(missing).to.not.have.property('ratio');
  });

  it('parses the JSON document out of stdout with stray lines around it', () => {
    const doc = { bench: 'a', headline: [{ figure: 'f', value: 1 }], nested: { x: [1, 2] } };
    expect(parseBenchOutput(`warming up\n${JSON.stringify(doc, null, 2)}\ndone\n`)).to.deep.equal(doc);
    expect(parseBenchOutput(`${JSON.stringify(doc)}\n`)).to.deep.equal(doc);
    expect(parseBenchOutput('{"partial": \n')).to.equal(null);
    expect(parseBenchOutput('')).to.equal(null);
  });

  it('writes latest.json, latest.md and latest.svg with every figure and the failed bench', () => {
    const run = fixture();
    const files = writeReport(dir, run);
    expect(JSON.parse(fs.readFileSync(files.json, 'utf8'))).to.deep.equal(JSON.parse(JSON.stringify(run)));

    const md = fs.readFileSync(files.md, 'utf8');
    expect(md).to.include('](latest.svg)');
    expect(md).to.include('2 × Test CPU, 24,105 MB RAM, node v20.0.0, linux-x64, load (1 min) 1.5 at start, 2.25 at end');
    expect(md).to.include('| thread-page | anonymous page throughput | 3,488 req/s | higher | bare node:http, same bytes: 7,366 req/s | 0.474× | connections=10 |');
    expect(md).to.include('| thread-page | p99 &lt;latency> & more | 45 ms | lower | raw Socket.IO: 30 ms | 1.5× | clients=1000 |');
    expect(md).to.include('| profile | loadProfile p95 | 5.5 ms | lower |  |  |  |');
    expect(md).to.include('| profile | nothing measured | — ms |');
    expect(md).to.include('| profile | precision@10 | 1 | higher | followers: 0.5 | 2× |');
    expect(md).to.match(/\| fanout \| \*\*failed\*\* \(exit code 1 after 7 s, no JSON document\)/);
    expect(md).to.include('3 benches in 300 s, **1 failed** (fanout)');
    expect(md).to.include('(`--quick`)');

    const svg = fs.readFileSync(files.svg, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
    expect(svg).to.include('p99 &lt;latency&gt; &amp; more');
    expect(svg).to.not.include('<latency>');
    expect(svg).to.include('failed: fanout');
    // Only the three figures with a reference get a bar; figures without one are in the table only.
    expect(svg.match(/<rect x=/g)).to.have.length(3);
    expect(svg).to.not.include('loadProfile');
  });

  it('draws a ratio below 1 left of the 1× line and above 1 right of it', () => {
    const svg = renderSvg(fixture());
    const one = Number(/<line x1="([\d.]+)"[^>]*stroke="#333"/.exec(svg)![1]);
    const bars = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]) }));
    expect(bars[0].x + bars[0].w).to.be.closeTo(one, 0.2); // 0.474×: ends at 1×
    expect(bars[0].x).to.be.below(one);
    expect(bars[1].x).to.be.closeTo(one, 0.2); // 1.5×: starts at 1×
    expect(bars[1].w).to.be.above(1);
  });

  it('formats numbers for the table', () => {
    expect(formatNumber(7365.6)).to.equal('7,366');
    expect(formatNumber(0.4736)).to.equal('0.474');
    expect(formatNumber(12.34)).to.equal('12.3');
    expect(formatNumber(null)).to.equal('—');
    expect(formatNumber(Number.NaN)).to.equal('—');
  });
});
