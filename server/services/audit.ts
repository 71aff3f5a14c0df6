/** The audit log: every staff action, with who, what, why. */
import type { Transaction } from 'sequelize';
import { AuditEntry } from '../models';

/** Record a staff action inside the caller's transaction. */
export async function audit(
  transaction: Transaction,
  actorId: number | null,
  action: string,
  subjectType: string,
  subjectId: string,
  reason: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await AuditEntry.create({ actorId, action, subjectType, subjectId, reason, data }, { transaction });
}
