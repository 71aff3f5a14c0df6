/** The admin-extensible segmentation dictionary: stored in the database, loaded into jieba at start. */
import { DictionaryWord } from '../models';
import { withTransaction } from '../db';
import { addUserWords } from '../../search/analysis';
import type { Actor } from '../policies';
import { audit } from './audit';

/** Load every stored word into the segmenter (at boot, in every process that analyses). */
export async function loadDictionary(): Promise<number> {
  const words = await DictionaryWord.findAll({ attributes: ['word'] });
  if (words.length) addUserWords(words.map((w) => w.word));
  return words.length;
}

/** Add words (idempotent); they apply to text analysed from now on (`resonance reindex` re-cuts the past). */
export async function addWords(actor: Actor, words: string[]): Promise<string[]> {
  const clean = [...new Set(words.map((w) => w.trim().toLowerCase()))].filter((w) => w.length > 0);
  await withTransaction(async (transaction) => {
    await DictionaryWord.bulkCreate(clean.map((word) => ({ word, addedById: actor.id })), { transaction, ignoreDuplicates: true });
    await audit(transaction, actor.id, 'dictionary.add', 'dictionary', '-', null, { words: clean });
  });
  addUserWords(clean);
  return clean;
}

/** All admin-added words, newest first. */
export async function listWords(): Promise<string[]> {
  return (await DictionaryWord.findAll({ order: [['createdAt', 'DESC']] })).map((w) => w.word);
}
