/** Entry point: `npm start` runs role `all` (web + pipeline); RESONANCE_ROLE=web|worker splits them. */
import { loadConfig } from './config';
import { createResonance } from './app';
import { log } from './log';
import { armCrashPoint } from './crashPoints';

async function main() {
  const config = loadConfig();
  // Only the real process arms it: an in-process test server must never kill mocha.
  armCrashPoint(config.RESONANCE_CRASH_AT);
  // tsx turns on source-mapped stack traces; Sequelize reads an Error's stack on every query, and
  // mapping it costs ~6% of the CPU of a busy server. Production logs keep transpiled positions.
  if (config.NODE_ENV === 'production') process.setSourceMapsEnabled(false);
  const resonance = await createResonance(config);
  let keepAlive: NodeJS.Timeout | null = null;
  if (config.RESONANCE_ROLE === 'worker') {
    await resonance.startWork();
    // The dispatcher's poll timer is unref'd (it must not hold tests open); a worker has nothing else.
    keepAlive = setInterval(() => undefined, 60_000);
    log.info('worker started');
  } else {
    const url = await resonance.listen();
    log.info('Resonance listening', { url: url.replace('127.0.0.1', 'localhost'), role: config.RESONANCE_ROLE, dataDir: config.dataDir });
    if (!config.RESONANCE_ADMIN) {
      log.info('first run? create an admin with RESONANCE_ADMIN=username:password npm start, and fill a demo with npm run seed -- --demo');
    }
  }
  const shutdown = async (signal: string) => {
    log.info('shutting down', { signal });
    if (keepAlive) clearInterval(keepAlive);
    await resonance.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
