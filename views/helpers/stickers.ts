/** {{#each (stickers)}}: the sticker set in picker order (code, file), for the composer. */
import { STICKERS, type Sticker } from '../../server/stickers';

export function stickers(): readonly Sticker[] {
  return STICKERS;
}
