/** Lookups keyed by text from outside (translation keys, placeholders, cookie names, emoji) know only their own keys. */
import { expect } from 'chai';
import type { Request } from 'express';
import { t } from '../../server/i18n';
import { readCookies } from '../../server/middleware/cookies';
import { emotivePrior, emotiveToken } from '../../search/analysis/emoji';
import { PROTOTYPE_WORDS } from '../support/prototype-words';

describe('text-keyed lookups and Object.prototype names', () => {
  it('i18n: an unknown key is the key, an unknown placeholder stays as written', () => {
    for (const word of PROTOTYPE_WORDS) {
      expect(t('en', word)).to.equal(word);
      expect(t('zh-CN', word)).to.equal(word);
    }
    expect(t('en', 'error.not_found', {})).to.be.a('string');
  });

  it('cookies: names like constructor and __proto__ are ordinary cookies', () => {
    const header = PROTOTYPE_WORDS.map((w, i) => `${w}=v${i}`).join('; ');
    const cookies = readCookies({ headers: { cookie: header } } as Request);
    PROTOTYPE_WORDS.forEach((w, i) => expect(Object.getOwnPropertyDescriptor(cookies, w)?.value, w).to.equal(`v${i}`));
    expect(readCookies({ headers: { cookie: 'rs_lang=en' } } as Request).constructor).to.equal(undefined);
  });

  it('emoji: a word is no emoji and has no prior', () => {
    for (const word of PROTOTYPE_WORDS) {
      expect(emotiveToken(word)).to.equal(word);
      expect(emotivePrior(word)).to.equal(0);
      expect(emotivePrior(`[${word}]`)).to.equal(0);
    }
  });
});
