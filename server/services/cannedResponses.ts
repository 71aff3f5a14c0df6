/**
 * Canned responses for the alert desk: every responder reads them, admins keep them (the JSON
 * API and the /admin/alerts page both come here, so both validate and audit the same way).
 */
import { z } from 'zod';
import { CannedResponse } from '../models';
import { withTransaction } from '../db';
import { NotFound } from '../errors';
import { authorize, type Actor } from '../policies';
import { postBody, text } from '../routes/schemas';
import { audit } from './audit';

export const CANNED_LOCALES = ['zh-CN', 'en'] as const;
export const cannedInput = z.object({ title: text(1, 100), body: postBody, locale: z.enum(CANNED_LOCALES) }).strict();
export const cannedPatch = cannedInput.partial().strict();
export type CannedInput = z.output<typeof cannedInput>;
export type CannedPatch = z.output<typeof cannedPatch>;

/** A canned response as the API and pages show it. */
export function presentCanned(c: CannedResponse) {
  return { id: String(c.id), title: c.title, body: c.body, locale: c.locale, updatedAt: c.updatedAt.toISOString() };
}

/** Every canned response, by locale then title. */
export function listCannedResponses(): Promise<CannedResponse[]> {
  return CannedResponse.findAll({ order: [['locale', 'ASC'], ['title', 'ASC']] });
}

/** Add a canned response (admins); audit-logged. */
export async function createCannedResponse(actor: Actor, input: CannedInput): Promise<CannedResponse> {
  authorize(actor, 'alerts.configure', null);
  return withTransaction(async (transaction) => {
    const row = await CannedResponse.create({ ...input, createdById: actor.id }, { transaction });
    await audit(transaction, actor.id, 'canned.create', 'canned_response', String(row.id), null, { after: input });
    return row;
  });
}

/** Change a canned response (admins); audit-logged with before and after. */
export async function updateCannedResponse(actor: Actor, id: number, patch: CannedPatch): Promise<CannedResponse> {
  authorize(actor, 'alerts.configure', null);
  return withTransaction(async (transaction) => {
    const row = await CannedResponse.findByPk(id, { transaction });
    if (!row) throw NotFound('Canned response');
    const before = { title: row.title, body: row.body, locale: row.locale };
    await row.update(patch, { transaction });
    await audit(transaction, actor.id, 'canned.update', 'canned_response', String(row.id), null, { before, after: patch });
    return row;
  });
}

/** Remove a canned response (admins); audit-logged with what it said. */
export async function deleteCannedResponse(actor: Actor, id: number): Promise<void> {
  authorize(actor, 'alerts.configure', null);
  await withTransaction(async (transaction) => {
    const row = await CannedResponse.findByPk(id, { transaction });
    if (!row) throw NotFound('Canned response');
    await audit(transaction, actor.id, 'canned.delete', 'canned_response', String(row.id), null, { before: { title: row.title, body: row.body, locale: row.locale } });
    await row.destroy({ transaction });
  });
}
