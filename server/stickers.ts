/**
 * The sticker set (static/stickers/, drawn for this project; see its README): `[狗头]`-style codes
 * in post text render as inline images. A Map: codes are user text.
 */
export interface Sticker {
  /** What members type, brackets included. */
  code: string;
  /** The file under /static/stickers/. */
  file: string;
}

/** The picker's order; `[doge]` is an alias of `[狗头]` and not offered separately. */
const SET: ReadonlyArray<readonly [string, string]> = [
  ['[狗头]', 'dog'],
  ['[笑哭]', 'tears-of-joy'],
  ['[赞]', 'thumbs-up'],
  ['[捂脸]', 'facepalm'],
  ['[吃瓜]', 'melon'],
  ['[微笑]', 'smile'],
  ['[哭]', 'cry'],
  ['[怒]', 'angry'],
  ['[加油]', 'fighting'],
  ['[爱心]', 'heart'],
  ['[偷笑]', 'giggle'],
  ['[疑问]', 'question'],
  ['[晕]', 'dizzy'],
  ['[酷]', 'cool'],
  ['[OK]', 'ok'],
  ['[滑稽]', 'sly'],
  ['[大笑]', 'laugh'],
  ['[尴尬]', 'awkward'],
  ['[震惊]', 'shock'],
  ['[花]', 'flower'],
];

/** Every sticker in picker order. */
export const STICKERS: readonly Sticker[] = SET.map(([code, file]) => ({ code, file: `/static/stickers/${file}.svg` }));

const byCode = new Map<string, Sticker>(STICKERS.map((s) => [s.code, s]));
byCode.set('[doge]', { code: '[doge]', file: '/static/stickers/dog.svg' });

/** The sticker for a code (`[狗头]`), or undefined: unknown codes stay text. */
export function stickerFor(code: string): Sticker | undefined {
  return byCode.get(code);
}

/** Where sticker images live: the sanitizer allows these and our uploads, nothing else. */
export const STICKER_SRC = /^\/static\/stickers\/[a-z-]+\.svg$/;
