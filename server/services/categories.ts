/** Topic categories. */
import { Category } from '../models';
import type { Actor } from '../policies';
import { authorize } from '../policies';
import { Conflict, NotFound } from '../errors';
import { withTransaction } from '../db';
import { audit } from './audit';

/** All categories in display order. */
export async function listCategories(): Promise<Category[]> {
  return Category.findAll({ order: [['position', 'ASC'], ['id', 'ASC']] });
}

/** Load a category by slug or throw 404. */
export async function categoryBySlug(slug: string): Promise<Category> {
  const category = await Category.findOne({ where: { slug } });
  if (!category) throw NotFound('Category');
  return category;
}

/** Create a category (admin). */
export async function createCategory(actor: Actor, input: { slug: string; name: string; description?: string }) {
  authorize(actor, 'category.create', null);
  return withTransaction(async (transaction) => {
    if (await Category.findOne({ where: { slug: input.slug }, transaction })) throw Conflict('A category with that slug exists', 'errors.categorySlugTaken');
    const position = (await Category.count({ transaction })) + 1;
    const category = await Category.create({ ...input, description: input.description ?? '', position }, { transaction });
    await audit(transaction, actor.id, 'category.create', 'category', String(category.id), null, { slug: input.slug });
    return category;
  });
}
