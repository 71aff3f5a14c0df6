/**
 * Where upload variants live: one small interface, so an S3-compatible store can replace the
 * local disk later without touching the pipeline or the routes. Names are content-addressed
 * (see images.ts), so a `put` of an existing name writes the same bytes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDir } from '../files';

export interface StoredObject {
  data: Buffer;
  contentType: string;
}

export interface UploadStorage {
  /** Store bytes under a name (overwriting the same content is harmless). */
  put(name: string, data: Buffer, contentType: string): Promise<void>;
  /** The stored bytes, or null when there is no such name. */
  get(name: string): Promise<StoredObject | null>;
  /** Size in bytes, or null when absent. */
  stat(name: string): Promise<{ size: number } | null>;
  /** Remove a name; absent names are fine. */
  delete(name: string): Promise<void>;
}

/** Names this store accepts: what images.ts produces, nothing with a path in it. */
const SAFE_NAME = /^[a-z0-9][a-z0-9.-]{0,100}$/;

const typeOf = (name: string) => (name.endsWith('.webp') ? 'image/webp' : 'application/octet-stream');

/** Files under `<root>/<first two characters>/<name>`, owner-only like the rest of DATA_DIR. */
export class LocalDiskStorage implements UploadStorage {
  constructor(private readonly root: string) {
    ensurePrivateDir(root);
  }

  private file(name: string): string {
    if (!SAFE_NAME.test(name) || name.includes('..')) throw new Error(`unsafe upload name: ${name}`);
    return path.join(this.root, name.slice(0, 2), name);
  }

  async put(name: string, data: Buffer): Promise<void> {
    const file = this.file(name);
    ensurePrivateDir(path.dirname(file));
    // Write then rename: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, data, { mode: 0o600 });
    await fs.rename(tmp, file);
  }

  async get(name: string): Promise<StoredObject | null> {
    try {
      return { data: await fs.readFile(this.file(name)), contentType: typeOf(name) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async stat(name: string): Promise<{ size: number } | null> {
    try {
      return { size: (await fs.stat(this.file(name))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true });
  }
}
