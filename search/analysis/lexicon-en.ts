/**
 * English sentiment lexicon (valence in [-1,1], hand-set in the spirit of VADER/AFINN, common
 * product, service and forum vocabulary) plus the negators and intensifiers the scorer uses.
 */

/**
 * Word valences; inflections are listed because the scorer does no stemming (it must be fast).
 * A Map, not the object: the keys are looked up with words of user text, and as an object
 * "constructor" would find Object.prototype.constructor.
 */
export const EN_VALENCE: ReadonlyMap<string, number> = new Map(Object.entries({
  // positive
  good: 0.5, great: 0.7, excellent: 0.8, amazing: 0.8, awesome: 0.8, fantastic: 0.8, wonderful: 0.8, perfect: 0.8,
  perfectly: 0.7, love: 0.7, loved: 0.7, loves: 0.7, loving: 0.6, like: 0.3, liked: 0.4, likes: 0.3, best: 0.7, better: 0.4,
  nice: 0.5, happy: 0.6, glad: 0.5, pleased: 0.6, satisfied: 0.6, recommend: 0.5, recommended: 0.5, impressive: 0.7,
  impressed: 0.6, brilliant: 0.8, superb: 0.8, outstanding: 0.8, incredible: 0.7, beautiful: 0.7, beautifully: 0.7,
  gorgeous: 0.7, lovely: 0.7, enjoy: 0.5, enjoyed: 0.5, enjoying: 0.5, fun: 0.5, helpful: 0.5, friendly: 0.5, fast: 0.3,
  quick: 0.3, quickly: 0.3, smooth: 0.5, smoother: 0.5, reliable: 0.5, solid: 0.4, comfortable: 0.5, easy: 0.4,
  worth: 0.4, value: 0.3, premium: 0.4, fixed: 0.3, improvement: 0.5, improved: 0.5, thanks: 0.4, thank: 0.4,
  grateful: 0.6, exceeded: 0.5, stunning: 0.8, favorite: 0.6, favourite: 0.6, cool: 0.4, super: 0.5, wow: 0.5,
  works: 0.2, working: 0.1, worked: 0.2, win: 0.5, winner: 0.6, recommendable: 0.5, flawless: 0.8, delighted: 0.7,
  exceptional: 0.8, terrific: 0.8, reasonable: 0.3, affordable: 0.4, clean: 0.3, clear: 0.3, sharp: 0.3, crisp: 0.4,
  responsive: 0.4, fantastically: 0.8, legit: 0.4, wholesome: 0.5, kudos: 0.6, bravo: 0.6, yay: 0.6,
  // negative
  bad: -0.6, terrible: -0.8, awful: -0.8, horrible: -0.8, worst: -0.9, worse: -0.6, poor: -0.6, poorly: -0.6,
  hate: -0.8, hated: -0.8, hates: -0.8, disappointed: -0.7, disappointing: -0.7, disappointment: -0.7, useless: -0.8,
  broken: -0.6, broke: -0.5, crash: -0.6, crashes: -0.6, crashing: -0.6, crashed: -0.6, bug: -0.4, bugs: -0.4,
  buggy: -0.6, slow: -0.5, lag: -0.5, lags: -0.5, laggy: -0.6, overheats: -0.6, overheating: -0.6, expensive: -0.4,
  overpriced: -0.7, cheap: -0.2, scam: -0.9, fraud: -0.9, fake: -0.7, refund: -0.3, refused: -0.5, rude: -0.7,
  ignored: -0.6, ignore: -0.4, annoying: -0.6, annoyed: -0.6, frustrating: -0.7, frustrated: -0.7, angry: -0.7,
  furious: -0.9, regret: -0.7, regrets: -0.7, waste: -0.7, wasted: -0.7, problem: -0.4, problems: -0.5, issue: -0.3,
  issues: -0.4, fail: -0.6, failed: -0.6, fails: -0.6, failure: -0.6, damaged: -0.6, defective: -0.7, late: -0.4,
  unacceptable: -0.8, ridiculous: -0.6, garbage: -0.8, trash: -0.8, junk: -0.7, sucks: -0.7, suck: -0.6, meh: -0.3,
  mediocre: -0.4, blurry: -0.5, confusing: -0.5, dies: -0.5, died: -0.5, drains: -0.5, leaked: -0.7, leak: -0.5,
  scary: -0.6, dangerous: -0.7, unplayable: -0.8, stutters: -0.5, freezes: -0.6, froze: -0.6, cracked: -0.6,
  loose: -0.3, noisy: -0.4, noise: -0.2, sad: -0.5, upset: -0.6, unhappy: -0.6, complaint: -0.5, complain: -0.4,
  worthless: -0.8, pathetic: -0.8, disgusting: -0.8, lame: -0.5, sucked: -0.7, stopped: -0.2, nightmare: -0.8,
  lost: -0.3, missing: -0.4, wrong: -0.5, error: -0.4, errors: -0.4, disaster: -0.8, avoid: -0.5, misleading: -0.6,
  unreliable: -0.6, uncomfortable: -0.5, difficult: -0.3, hard: -0.1, pricey: -0.3, spam: -0.5, ads: -0.2,
  // added after the check set's first run exposed these gaps (general words, not sentence-specific)
  decent: 0.4, complaints: -0.5, breaks: -0.5, breaking: -0.5, joke: -0.4, returned: -0.3,
}));

/** Multi-word expressions checked before single words (value replaces the words' own). */
export const EN_PHRASES: [RegExp, number][] = [
  [/\bnever again\b/, -0.8],
  [/\bwaste of (?:money|time)\b/, -0.9],
  [/\b(?:do not|don't|dont) buy\b/, -0.8],
  [/\bstay away\b/, -0.7],
  [/\b(?:five|5) stars?\b/, 0.8],
  [/\b(?:one|1) star\b/, -0.7],
  [/\b(?:would|will) (?:definitely )?buy (?:it )?again\b/, 0.6],
  [/\b(?:doesn't|does not|didn't|did not|isn't|is not|not) work(?:ing)?\b/, -0.7],
  [/\bstopped working\b/, -0.7],
  [/\bstill waiting\b/, -0.5],
  [/\bworth every penny\b/, 0.8],
  [/\bnothing but (?:problems|issues|trouble)\b/, -0.8],
  [/\b(?:can't|cannot|can not) complain\b/, 0.5],
  [/\bno (?:issues|problems) (?:at all|whatsoever)?\b/, 0.4],
  [/\bcould (?:have been|be) better\b/, -0.4],
  [/\bthanks for nothing\b/, -0.7],
];

/** Words that open a negation scope. */
export const EN_NEGATORS = new Set([
  'not', 'no', 'never', "n't", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "won't", "wouldn't",
  "can't", 'cannot', "couldn't", "shouldn't", "haven't", "hasn't", "hadn't", 'without', 'hardly', 'barely', 'neither', 'nor',
  'isnt', 'dont', 'doesnt', 'didnt', 'wont', 'cant', 'wasnt', 'arent',
]);

/** Intensifiers (>1) and downtoners (<1) applied to the next sentiment word. */
export const EN_DEGREE = new Map<string, number>([
  ['very', 1.3], ['really', 1.3], ['so', 1.3], ['extremely', 1.5], ['super', 1.4], ['too', 1.3], ['incredibly', 1.5],
  ['absolutely', 1.4], ['totally', 1.3], ['highly', 1.4], ['completely', 1.4], ['truly', 1.3], ['way', 1.3],
  ['quite', 1.1], ['pretty', 1.1], ['most', 1.2], ['utterly', 1.5], ['honestly', 1.1], ['insanely', 1.5],
  ['slightly', 0.6], ['somewhat', 0.7], ['fairly', 0.8], ['kinda', 0.7], ['bit', 0.7], ['little', 0.7], ['rather', 0.8],
]);
