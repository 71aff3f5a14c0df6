/**
 * Texts made of every Object.prototype property name: the words a plain-object lookup table
 * answers for without having them ("constructor" finds a function, "__proto__" the prototype).
 */

/** constructor, __proto__, hasOwnProperty, toString, valueOf, ... as the running Node has them. */
export const PROTOTYPE_WORDS: readonly string[] = Object.getOwnPropertyNames(Object.prototype);

/** The words in English prose, as written and lowercased (the analyser lowercases first). */
export const PROTOTYPE_TEXT_EN = `hello ${PROTOTYPE_WORDS.join(' ')} and ${PROTOTYPE_WORDS.join(' ').toLowerCase()}`;

/** The same words inside a Chinese sentence, also as Weibo emoticons and hashtags. */
export const PROTOTYPE_TEXT_ZH = `这个${PROTOTYPE_WORDS.join('和')}的车机太好用了，${PROTOTYPE_WORDS.map((w) => `[${w}]`).join('')} #${PROTOTYPE_WORDS.join(' #')}`;
