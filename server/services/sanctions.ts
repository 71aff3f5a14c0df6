/**
 * Sanctions: warn, suspend (for days or until a time) and ban a member, and lift them. Each is
 * authorised by the policy (`user.sanction`), needs a reason, is audit-logged with the member's
 * standing before and after, and tells the member through a notification. Suspending or banning
 * ends the member's live connections (access.revoked, reason `suspended`) in the same transaction.
 * A suspension ends by itself: the actor's `suspended` is computed from the dates (standingOf).
 */
import { Op } from 'sequelize';
import { Notification, Sanction, User } from '../models';
import type { SanctionKind } from '../models/Sanction';
import { authorize, type Actor } from '../policies';
import { Conflict, NotFound, Validation } from '../errors';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { audit } from './audit';

const DAY_MS = 86_400_000;
export const MAX_SUSPENSION_DAYS = 3650;

export type StandingStatus = 'active' | 'suspended' | 'banned';
export interface Standing {
  status: StandingStatus;
  /** When a suspension ends; null when active or banned. */
  until: Date | null;
}

/** A member's standing at `now`: banned (no end), suspended (until a future time) or active. Pure. */
export function standingOf(user: Pick<User, 'suspendedAt' | 'suspendedUntil'>, now: Date = new Date()): Standing {
  if (!user.suspendedAt) return { status: 'active', until: null };
  if (!user.suspendedUntil) return { status: 'banned', until: null };
  const until = new Date(user.suspendedUntil);
  return until.getTime() > now.getTime() ? { status: 'suspended', until } : { status: 'active', until: null };
}

/** The standing as the audit log records it (before/after), in ISO strings. */
function standingData(user: Pick<User, 'suspendedAt' | 'suspendedUntil'>, now: Date) {
  const s = standingOf(user, now);
  return { status: s.status, until: s.until?.toISOString() ?? null };
}

export interface SanctionInput {
  kind: SanctionKind;
  reason: string;
  /** Suspensions: how long (whole days from now) or until when; exactly one of the two. */
  days?: number;
  until?: Date;
}

async function userByName(username: string) {
  const user = await User.findOne({ where: { username } });
  if (!user) throw NotFound('User');
  return user;
}

/** When a suspension ends, from `days` or `until` (validated: one of them, in the future, bounded). */
function suspensionEnd(input: SanctionInput, now: Date): Date | null {
  if (input.kind !== 'suspend') {
    if (input.days !== undefined || input.until !== undefined) throw Validation(input.days !== undefined ? 'days' : 'until', `is only for suspensions (a ${input.kind} has no end)`);
    return null;
  }
  if (input.days !== undefined && input.until !== undefined) throw Validation('until', 'give either days or until, not both');
  if (input.days !== undefined) return new Date(now.getTime() + input.days * DAY_MS);
  if (input.until === undefined) throw Validation('days', 'is required for a suspension (or give until)');
  if (input.until.getTime() <= now.getTime()) throw Validation('until', 'must be in the future');
  if (input.until.getTime() > now.getTime() + MAX_SUSPENSION_DAYS * DAY_MS) throw Validation('until', `must be within ${MAX_SUSPENSION_DAYS} days`);
  return input.until;
}

/**
 * Warn, suspend or ban a member. A suspension never shortens a longer one in force and a banned
 * member cannot be suspended (409): lift the ban first. Returns the sanction and the updated user.
 */
export async function sanctionMember(actor: Actor, username: string, input: SanctionInput, now: Date = new Date()) {
  const target = await userByName(username);
  authorize(actor, 'user.sanction', { target: { id: target.id, role: target.role } });
  const until = suspensionEnd(input, now);
  return withTransaction(async (transaction) => {
    const user = (await User.findByPk(target.id, { transaction }))!;
    const before = standingData(user, now);
    const current = standingOf(user, now);
    if (input.kind === 'suspend' && current.status === 'banned') throw Conflict('This member is banned; lift the ban before suspending');
    if (input.kind === 'ban' && current.status === 'banned') throw Conflict('This member is already banned');
    if (input.kind === 'ban') {
      user.suspendedAt = current.status === 'active' ? now : user.suspendedAt;
      user.suspendedUntil = null;
    } else if (input.kind === 'suspend') {
      const keepLonger = current.status === 'suspended' && current.until!.getTime() >= until!.getTime();
      user.suspendedAt = current.status === 'active' ? now : user.suspendedAt;
      user.suspendedUntil = keepLonger ? current.until : until;
    }
    await user.save({ transaction });
    const sanction = await Sanction.create(
      { userId: user.id, kind: input.kind, reason: input.reason, until, actorId: actor.id, createdAt: now, liftedAt: null, liftedById: null, liftReason: null },
      { transaction },
    );
    // The member learns what and why, not who: a moderator's name invites retaliation.
    const note = await Notification.create(
      { userId: user.id, kind: 'sanction', sanctionId: sanction.id, actorId: null, threadId: null, postId: null, chapterId: null, readAt: null },
      { transaction },
    );
    const after = standingData(user, now);
    await audit(transaction, actor.id, `user.${input.kind}`, 'user', String(user.id), input.reason, {
      sanctionId: sanction.id,
      username: user.username,
      kind: input.kind,
      until: until?.toISOString() ?? null,
      before,
      after,
    });
    await recordEvents(
      transaction,
      { type: 'member.sanctioned', userId: user.id, sanctionId: sanction.id, kind: input.kind, until: until?.toISOString() ?? null, actorId: actor.id },
      { type: 'notification.created', notificationId: note.id, userId: user.id },
      // Their sockets hold a writer's rights: end them; they reconnect as a suspended reader.
      ...(input.kind !== 'warn' ? [{ type: 'access.revoked' as const, userId: user.id, credentialId: null, keepCredentialId: null, reason: 'suspended' as const }] : []),
    );
    return { sanction, user };
  });
}

/** A member's sanctions, newest first (people.view is checked by the caller). */
export async function sanctionsOf(username: string) {
  const user = await userByName(username);
  const sanctions = await Sanction.findAll({ where: { userId: user.id }, order: [['id', 'DESC']] });
  return { user, sanctions };
}

/**
 * Lift a sanction (with a reason). Lifting a suspension or ban recomputes the member's standing
 * from the sanctions still in force, so lifting an old suspension leaves a later ban in place.
 */
export async function liftSanction(actor: Actor, sanctionId: number, reason: string, now: Date = new Date()) {
  const found = await Sanction.findByPk(sanctionId);
  if (!found) throw NotFound('Sanction');
  const target = await User.findByPk(found.userId);
  if (!target) throw NotFound('User');
  authorize(actor, 'user.sanction', { target: { id: target.id, role: target.role } });
  return withTransaction(async (transaction) => {
    const sanction = (await Sanction.findByPk(sanctionId, { transaction }))!;
    if (sanction.liftedAt) throw Conflict('This sanction has already been lifted');
    const user = (await User.findByPk(target.id, { transaction }))!;
    const before = standingData(user, now);
    sanction.liftedAt = now;
    sanction.liftedById = actor.id;
    sanction.liftReason = reason;
    await sanction.save({ transaction });
    const changesStanding = sanction.kind !== 'warn';
    if (changesStanding) {
      const inForce = await Sanction.findAll({
        where: {
          userId: user.id,
          liftedAt: null,
          [Op.or]: [{ kind: 'ban' }, { kind: 'suspend', until: { [Op.gt]: now } }],
        },
        order: [['id', 'ASC']],
        transaction,
      });
      const ban = inForce.find((s) => s.kind === 'ban');
      const longest = inForce.filter((s) => s.kind === 'suspend').sort((a, b) => b.until!.getTime() - a.until!.getTime())[0];
      if (ban) {
        user.suspendedAt = ban.createdAt;
        user.suspendedUntil = null;
      } else if (longest) {
        user.suspendedAt = longest.createdAt;
        user.suspendedUntil = longest.until;
      } else {
        user.suspendedAt = null;
        user.suspendedUntil = null;
      }
      await user.save({ transaction });
    }
    const after = standingData(user, now);
    await audit(transaction, actor.id, 'user.liftSanction', 'user', String(user.id), reason, {
      sanctionId: sanction.id,
      username: user.username,
      kind: sanction.kind,
      before,
      after,
    });
    await recordEvents(
      transaction,
      { type: 'member.sanctioned', userId: user.id, sanctionId: sanction.id, kind: 'lift', until: null, actorId: actor.id },
      // Cached actors (and sockets, which re-check per command) pick up the restored rights.
      ...(changesStanding ? [{ type: 'user.updated' as const, userId: user.id, analyticsConsent: user.analyticsConsent, consentChanged: false }] : []),
    );
    return { sanction, user };
  });
}
