/** The `resonance` command: migrate, seed, and (later) analyze/reindex/import. */
import { loadConfig } from './config';
import { openDatabase, closeDatabase } from './db';
import { migrate } from './migrate';

const usage = `usage: resonance <command>
  migrate            apply database migrations
  seed [--demo]      fill a demo community (chapters, categories, members, posts)`;

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
      const { seedDemo } = await import('./seed');
      await seedDemo(loadConfig(), { demo: rest.includes('--demo') });
      return;
    }
    default:
      console.error(usage);
      process.exitCode = command ? 2 : 0;
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
