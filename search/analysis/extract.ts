/** Pattern extraction from post text: @mentions, hashtags, URLs, and phone / order-number / email entities. */

/** A structured value found in the text. */
export interface Entity { kind: 'phone' | 'order' | 'email'; value: string }

/** Everything the extractor finds. */
export interface Extraction { mentions: string[]; hashtags: string[]; urls: string[]; entities: Entity[] }

// URLs stop at whitespace, quotes, angle brackets and CJK punctuation; trailing ASCII punctuation is trimmed below.
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u201c\u201d\u2018\u2019]+/giu;
// Bounded repeats keep a 10,000-letter run from making this quadratic.
const EMAIL_RE = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
// @handle: Latin, digits, _ , - and Han; not preceded by an email-ish character (a@b.com is not a mention).
const MENTION_RE = /(?<![A-Za-z0-9._%+-])[@＠]([A-Za-z0-9_\-\p{Script=Han}]{1,30})/gu;
// Weibo #话题# first (may contain spaces), then #tag (letters/digits/_/Han, must contain a letter).
const WEIBO_TAG_RE = /[#＃]([^#＃\n]{1,40}?)[#＃]/gu;
const TAG_RE = /(?<![\p{L}\p{N}&])[#＃]([\p{L}\p{N}_]{1,40})/gu;
// Chinese mobile numbers, optionally +86 and 3-4-4 separators; never inside a longer digit run.
const PHONE_RE = /(?<![\d])(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)/g;
// Order numbers need a cue word: 10-24 letters/digits (at least one digit) after 订单号/单号/order no.
const ORDER_RE = /(?:订单编号|订单号码?|订单|单号|order\s*(?:no\.?|number|num|id|#)|order)\s*[:：#]?\s*(?:是|为)?\s*([A-Za-z0-9-]{10,24})(?![A-Za-z0-9])/giu;

// What each pattern needs before it can match at all: most posts have no URL, @, # or digit.
// With the u flag, as URL_RE: "ſ" then folds to "s" in both.
const URL_HINT_RE = /https?:\/\/|www\./iu;
const DIGIT_RE = /\d/;

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Extract mentions, hashtags, URLs and entities; order of first appearance, de-duplicated. */
export function extractAll(text: string): Extraction {
  const urls = URL_HINT_RE.test(text) ? unique([...text.matchAll(URL_RE)].map((m) => m[0].replace(/[.,;:!?)\]}]+$/, ''))) : [];
  // Blank URLs and emails out so "example.com/#anchor" and "a@b.com" do not yield tags or mentions.
  let rest = urls.length > 0 ? text.replace(URL_RE, ' ') : text;
  const hasAt = rest.includes('@');
  const emails = hasAt ? unique([...rest.matchAll(EMAIL_RE)].map((m) => m[0].toLowerCase())) : [];
  if (emails.length > 0) rest = rest.replace(EMAIL_RE, ' ');
  const mentions = hasAt || rest.includes('＠') ? unique([...rest.matchAll(MENTION_RE)].map((m) => m[1])) : [];
  const hashtags: string[] = [];
  if (rest.includes('#') || rest.includes('＃')) {
    const withoutWeiboTags = rest.replace(WEIBO_TAG_RE, (whole, tag: string) => {
      const clean = tag.trim();
      // "#1 and #2" is two numbered items, not a Weibo topic; accept only topics with a letter.
      if (!clean || !/\p{L}/u.test(clean) || /\s[#＃]?\d/.test(clean)) return whole;
      hashtags.push(clean);
      return ' ';
    });
    for (const m of withoutWeiboTags.matchAll(TAG_RE)) if (/\p{L}/u.test(m[1])) hashtags.push(m[1]);
  }

  const entities: Entity[] = [];
  const orderSpans: [number, number][] = [];
  // Order and phone numbers both need digits.
  if (DIGIT_RE.test(rest)) {
    for (const m of rest.matchAll(ORDER_RE)) {
      const value = m[1];
      if (!/\d/.test(value)) continue;
      entities.push({ kind: 'order', value });
      orderSpans.push([m.index, m.index + m[0].length]);
    }
    for (const m of rest.matchAll(PHONE_RE)) {
      // An order number that happens to look like a phone number is not a phone number.
      if (orderSpans.some(([a, b]) => m.index >= a && m.index < b)) continue;
      entities.push({ kind: 'phone', value: m[1] + m[2] + m[3] });
    }
  }
  for (const email of emails) entities.push({ kind: 'email', value: email });
  const seen = new Set<string>();
  const uniqueEntities = entities.filter((e) => !seen.has(e.kind + e.value) && seen.add(e.kind + e.value));
  return { mentions, hashtags: unique(hashtags), urls, entities: uniqueEntities };
}
