/** zh-CN and en are two translations of one dictionary: the same keys, the same {placeholders}. */
import { expect } from 'chai';
import zhCN from '../../server/locales/zh-CN.json';
import en from '../../server/locales/en.json';

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
// Placeholders one language leaves out on purpose: {expected} is zod's English type name ("string").
const OMITTED = new Map([['validation.type', { locale: 'zh-CN', placeholder: 'expected' }]]);

describe('locales', () => {
  const zh = new Map<string, string>(Object.entries(zhCN));
  const english = new Map<string, string>(Object.entries(en));

  it('have the same keys', () => {
    expect([...zh.keys()].filter((k) => !english.has(k)), 'in zh-CN only').to.deep.equal([]);
    expect([...english.keys()].filter((k) => !zh.has(k)), 'in en only').to.deep.equal([]);
  });

  it('use the same placeholders in each message', () => {
    const differ = [...zh]
      .filter(([k, v]) => {
        const omitted = OMITTED.get(k)?.placeholder;
        const strip = (names: string[]) => names.filter((n) => n !== omitted).join();
        return english.has(k) && strip(placeholders(v)) !== strip(placeholders(english.get(k)!));
      })
      .map(([k]) => k);
    expect(differ).to.deep.equal([]);
  });

  it('have no empty message', () => {
    expect([...zh, ...english].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k)).to.deep.equal([]);
  });
});
