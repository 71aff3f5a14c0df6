/** Demo data (filled in below). */
import type { Config } from './config';
export async function seedDemo(_config: Config, _opts: { demo: boolean }): Promise<void> {
  throw new Error('not yet');
}
