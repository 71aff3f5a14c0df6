/**
 * The SQLite driver: `@appthreat/sqlite3`, node-sqlite3's API (callbacks, Database/Statement,
 * `this.lastID`/`this.changes`) with N-API binaries inside the npm package, so installing needs
 * neither a compiler nor a download, and one build serves every Node version (20, 22, 24).
 * Sequelize gets it as `dialectModule`; the search index and the hot-path SQL use it directly.
 */
import * as driver from '@appthreat/sqlite3';

// The package's types declare named exports only; at run time the module's default export is
// the object holding everything (Database, Statement, OPEN_* ...), as Sequelize expects.
const sqlite3 = (driver as unknown as { default: typeof driver }).default;

export default sqlite3;
export type { Database, RunResult, Statement } from '@appthreat/sqlite3';
