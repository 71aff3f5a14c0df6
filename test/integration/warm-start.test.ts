/** A fresh server loads the analysis (dictionaries, models) before it listens, not on the first post. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

describe('warm start', () => {
  it('has the segmenter, both sentiment models and the IDF table in memory before /healthz can answer', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-warm-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/boot-probe.ts'], { env: { ...process.env, DATA_DIR: dataDir } });
      const { before, after } = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(before).to.deep.equal({ segmenter: false, zhModel: false, enModel: false, idf: false });
      expect(after).to.deep.equal({ segmenter: true, zhModel: true, enModel: true, idf: true });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
