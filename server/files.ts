/**
 * DATA_DIR holds members' posts, password hashes and the server secret: readable by the
 * server's own user only, whatever the umask. SQLite gives its -wal and -shm files the mode of
 * the database file, so creating the database file 0600 first covers those too.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Create dir (and parents) if missing; the leaf is made owner-only (0700). */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.chmodSync(dir, 0o700);
  } catch (err) {
    // A directory the operator made and owns (a mounted volume): leave its mode to them.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}

/** Make sure file exists, owner read/write only (0600), in a private directory. */
export function ensurePrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  // Journal files left by an older version (or a crash) keep their modes: tighten them too.
  for (const suffix of ['-wal', '-shm', '-journal']) {
    try {
      fs.chmodSync(file + suffix, 0o600);
    } catch {
      // absent: SQLite will create it with the database file's mode
    }
  }
}
