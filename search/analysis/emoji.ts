/**
 * Emoji and Weibo-style emoticons ("[怒]", "[good]"): how to find them, which Weibo emoticon
 * an emoji means (so emoji share the weights the model learned from Weibo emoticons), and a
 * small hand-set polarity used when the model never saw the symbol (and by the English scorer).
 */

/** An emoji cluster: pictograph plus variation selectors, skin tones and ZWJ joins. */
export const EMOJI_RE = /\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}]|\u200D\p{Extended_Pictographic})*/gu;
/** A Weibo emoticon: a short run of letters in square brackets, e.g. [哈哈] [good] [笑cry]. */
export const EMOTICON_RE = /\[[\p{L}]{1,8}\]/gu;

/** Strip variation selectors and skin tones so "❤️" and "❤" are the same token. */
export function canonicalEmoji(emoji: string): string {
  return emoji.replace(/[\uFE0F\u{1F3FB}-\u{1F3FF}]/gu, '');
}

// Emoji -> the Weibo emoticon with the same meaning; the Weibo corpus has thousands of
// emoticons but few emoji, so this lets emoji reuse well-estimated weights. Both tables are Maps:
// they are looked up with symbols from user text ("[constructor]" is a well-formed emoticon).
const EMOJI_TO_EMOTICON: ReadonlyMap<string, string> = new Map(Object.entries({
  '😡': '[怒]', '😠': '[怒]', '🤬': '[怒骂]', '👍': '[赞]', '👎': '[弱]', '😂': '[笑cry]', '🤣': '[笑cry]',
  '😭': '[泪]', '😢': '[泪]', '😿': '[泪]', '❤': '[心]', '💕': '[心]', '💖': '[心]', '💗': '[心]', '💔': '[伤心]',
  '😊': '[嘻嘻]', '😁': '[嘻嘻]', '😄': '[哈哈]', '😆': '[哈哈]', '😃': '[哈哈]', '🙏': '[作揖]', '👏': '[鼓掌]',
  '💪': '[加油]', '😍': '[色]', '🥰': '[爱你]', '😘': '[亲亲]', '🤔': '[思考]', '😞': '[失望]', '😔': '[失望]',
  '😤': '[哼]', '😒': '[哼]', '🌹': '[鲜花]', '🥺': '[可怜]', '😱': '[吃惊]', '😩': '[抓狂]', '😫': '[抓狂]',
  '🤗': '[抱抱]', '😎': '[酷]', '🤮': '[吐]', '🙄': '[白眼]', '😓': '[汗]', '😅': '[汗]', '👌': '[ok]', '🐶': '[doge]',
}));

/** The canonical sentiment token for an emoji or emoticon (emoticons pass through). */
export function emotiveToken(symbol: string): string {
  if (symbol.startsWith('[')) return symbol;
  const emoji = canonicalEmoji(symbol);
  return EMOJI_TO_EMOTICON.get(emoji) ?? emoji;
}

// Hand-set polarity in [-1,1]; only a fallback: learned weights win when they exist.
const EMOTIVE_PRIOR: ReadonlyMap<string, number> = new Map(Object.entries({
  '[怒]': -0.9, '[怒骂]': -0.9, '[抓狂]': -0.8, '[泪]': -0.6, '[伤心]': -0.7, '[悲伤]': -0.7, '[失望]': -0.8,
  '[哼]': -0.5, '[弱]': -0.7, '[吐]': -0.8, '[白眼]': -0.5, '[汗]': -0.3, '[可怜]': -0.3, '[委屈]': -0.5, '[衰]': -0.6,
  '[生病]': -0.5, '[晕]': -0.4, '[鄙视]': -0.8, '[bad]': -0.8, '[吃惊]': -0.2, '[费解]': -0.3, '[允悲]': -0.3,
  '[赞]': 0.8, '[good]': 0.8, '[哈哈]': 0.6, '[嘻嘻]': 0.6, '[心]': 0.8, '[爱你]': 0.8, '[鼓掌]': 0.7, '[加油]': 0.5,
  '[色]': 0.6, '[亲亲]': 0.6, '[鲜花]': 0.6, '[太开心]': 0.8, '[笑cry]': 0.3, '[耶]': 0.6, '[酷]': 0.5, '[ok]': 0.4,
  '[抱抱]': 0.4, '[作揖]': 0.3, '[给力]': 0.8, '[威武]': 0.7, '[可爱]': 0.6, '[好喜欢]': 0.8, '[偷笑]': 0.4, '[doge]': 0.1,
  '🔥': 0.6, '🎉': 0.7, '✨': 0.4, '💯': 0.8, '🥳': 0.7, '🤩': 0.8, '😀': 0.6, '🙂': 0.3, '💩': -0.7, '😣': -0.5,
  '😖': -0.5, '😰': -0.5, '😨': -0.4, '😟': -0.5, '🙁': -0.5, '☹': -0.6, '😑': -0.3, '😐': -0.1, '😪': -0.3, '🤡': -0.5,
}));

/** Hand-set polarity of an emoji/emoticon in [-1,1], or 0 when unknown. */
export function emotivePrior(symbol: string): number {
  const token = emotiveToken(symbol);
  return EMOTIVE_PRIOR.get(token) ?? 0;
}
