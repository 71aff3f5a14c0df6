/** zod issues become translated messages: every key a schema or zod's own check can produce exists in both locales. */
import { expect } from 'chai';
import { z } from 'zod';
import { AppError, errorBody, localizedMessage } from '../../server/errors';
import { keysOf } from '../../server/i18n';
import { cursor, id, issueEnglish, limit, loginName, parse, password, postBody, shortLabel, slug, title, username, word } from '../../server/routes/schemas';

const form = z.object({ title, body: postBody, username, password, slug, id, limit: limit(20, 100), tag: shortLabel, word, cursor, name: loginName, kind: z.enum(['a', 'b']), tags: z.array(z.string()).max(1), when: z.iso.datetime({ offset: true }) }).strict();
const good = { title: 't', body: 'b', username: 'abc', password: '12345678', slug: 'a', id: '1', limit: '5', tag: 'x', word: 'w', cursor: 'c', name: 'n', kind: 'a', tags: [], when: '2026-01-01T00:00:00Z' };
const bad: Array<Record<string, unknown>> = [
  { title: '   ' }, { title: 't'.repeat(201) }, { body: '\u0001' }, { body: '\uD800' }, { username: 'A B' }, { password: 'short' },
  { slug: 'Bad Slug' }, { id: 'abc' }, { limit: '1e2' }, { limit: '1000' }, { limit: '0' }, { tag: '\u0001' }, { word: 'two words' },
  { cursor: '!!' }, { name: 'x'.repeat(65) }, { kind: 'c' }, { tags: ['a', 'b'] }, { when: 'yesterday' }, { title: 5 }, { extra: 1 },
];

function errorOf(input: Record<string, unknown>): AppError {
  try {
    parse(form, input);
  } catch (err) {
    return err as AppError;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('validation messages through i18n', () => {
  const zh = new Set(keysOf('zh-CN'));
  const en = new Set(keysOf('en'));

  it('every bad input gets a translated key, in both locales, with the field named', () => {
    for (const patch of bad) {
      const e = errorOf({ ...good, ...patch });
      const label = JSON.stringify(patch);
      expect(e.code, label).to.equal('validation_failed');
      expect(e.text, label).to.not.equal(undefined);
      expect(zh.has(e.text!.key) && en.has(e.text!.key), `${label}: ${e.text!.key}`).to.equal(true);
      for (const locale of ['zh-CN', 'en'] as const) {
        const message = localizedMessage(e, locale);
        expect(message, `${label} ${locale}`).to.not.match(/validation\.|field\.|\{\w+\}/);
      }
      expect(errorBody(e, 'zh-CN').error.field, label).to.be.a('string');
    }
    expect(localizedMessage(errorOf({ ...good, title: '  ' }), 'zh-CN')).to.equal('标题：不能为空');
    expect(localizedMessage(errorOf({ ...good, title: '  ' }), 'en')).to.equal('Title: must not be empty');
    // The English `message` (logs) keeps the input's path, as before.
    expect(errorOf({ ...good, title: '  ' }).message).to.equal('title: must not be empty');
  });

  it('a missing field is "required"; a message a schema spelled out stays as written', () => {
    const { title: _omit, ...rest } = good;
    expect(localizedMessage(errorOf(rest), 'zh-CN')).to.equal('标题：必填');
    const spelled = z.object({ source: z.string().refine((s) => s !== 'forum', 'forum is reserved for posts') });
    try {
      parse(spelled, { source: 'forum' });
      expect.fail('accepted');
    } catch (err) {
      expect(localizedMessage(err as AppError, 'zh-CN')).to.equal('source: forum is reserved for posts');
    }
  });

  it('issueEnglish gives English, never a key (socket acks, batch reasons)', () => {
    const r = title.safeParse('   ');
    expect(r.success).to.equal(false);
    expect(issueEnglish(r.error!.issues[0])).to.equal('must not be empty');
  });
});
