/** The machine description every benchmark prints next to its numbers. */
import os from 'node:os';

/** cpus, model, node version, platform: enough to tell two runs' machines apart. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    totalMemMB: Math.round(os.totalmem() / 1024 / 1024),
    loadavg1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
