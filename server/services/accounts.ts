/** Accounts: registration, login sessions, bearer tokens, API keys, roles and the bootstrap admin. */
import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { Credential, Membership, User } from '../models';
import type { Role } from '../models/User';
import type { Actor } from '../policies';
import { hashPassword, verifyPassword, decoyHash } from '../passwords';
import { Conflict, Invalid, NotFound, WrongCredentials } from '../errors';
import { withTransaction } from '../db';
import { onEventsCommitted, recordEvents } from '../events';
import { audit } from './audit';
import { LruCache } from '../cache/lru';
import { standingOf } from './sanctions';

const SESSION_DAYS = 30;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const newSecret = (prefix: string) => `${prefix}_${crypto.randomBytes(24).toString('base64url')}`;

/** Create a member account and log it in. */
export async function register(input: { username: string; password: string; displayName?: string }) {
  const existing = await User.findOne({ where: { username: input.username } });
  if (existing) throw Conflict('That username is taken', 'auth.error.usernameTaken');
  const passwordHash = await hashPassword(input.password);
  const user = await withTransaction(async (transaction) => {
    try {
      return await User.create(
        { username: input.username, displayName: input.displayName?.trim() || input.username, passwordHash, locale: null, suspendedAt: null },
        { transaction },
      );
    } catch (err) {
      if ((err as Error).name === 'SequelizeUniqueConstraintError') throw Conflict('That username is taken', 'auth.error.usernameTaken');
      throw err;
    }
  });
  const token = await createSession(user.id);
  return { user, token };
}

/** Check a username and password; returns the user and a new session token. */
export async function login(input: { username: string; password: string }) {
  const user = await User.findOne({ where: { username: input.username } });
  // Verify against a decoy when the user is missing so timing doesn't reveal who exists.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !ok) throw WrongCredentials();
  const token = await createSession(user.id);
  return { user, token };
}

async function createSession(userId: number): Promise<string> {
  const token = newSecret('rs');
  await withTransaction((transaction) => Credential.create({
    kind: 'session',
    secretHash: sha256(token),
    userId,
    name: null,
    scopes: [],
    expiresAt: new Date(Date.now() + SESSION_DAYS * 86400_000),
    lastUsedAt: new Date(),
    revokedAt: null,
  }, { transaction }));
  return token;
}

/** Revoke a session token (logout); its live sockets are disconnected after commit (sessions processor). */
export async function logout(token: string): Promise<void> {
  actorCache.delete(sha256(token));
  await withTransaction(async (transaction) => {
    const cred = await Credential.findOne({ where: { secretHash: sha256(token), kind: 'session', revokedAt: null }, transaction });
    if (!cred) return;
    cred.revokedAt = new Date();
    await cred.save({ transaction });
    await recordEvents(transaction, { type: 'access.revoked', userId: cred.userId, credentialId: cred.id, keepCredentialId: null, reason: 'logout' });
  });
}

/**
 * Change the caller's password: every other session of theirs is revoked and disconnected
 * (the usual answer to "someone else may know my password"); the current one stays signed in.
 */
export async function changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }): Promise<void> {
  const user = await User.findByPk(actor.id);
  if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) throw Invalid('currentPassword', 'validation.notYourCurrentPassword');
  const passwordHash = await hashPassword(input.newPassword);
  await withTransaction(async (transaction) => {
    await User.update({ passwordHash }, { where: { id: user.id }, transaction });
    const others = { userId: user.id, kind: 'session' as const, revokedAt: null, ...(actor.credentialId ? { id: { [Op.ne]: actor.credentialId } } : {}) };
    await Credential.update({ revokedAt: new Date() }, { where: others, transaction });
    await audit(transaction, actor.id, 'user.changePassword', 'user', String(user.id), null);
    await recordEvents(transaction, { type: 'access.revoked', userId: user.id, credentialId: null, keepCredentialId: actor.credentialId ?? null, reason: 'password' });
  });
  actorCache.deleteWhere((_key, cached) => cached.id === user.id);
}

// Resolved actors by secret hash, briefly: three queries per request otherwise. Dropped at
// once on logout, role, profile and membership changes, here and (over the cluster bus) in the
// other processes; without Redis other processes see such changes within the TTL.
const actorCache = new LruCache<string, Actor>(20_000, 5_000);
onEventsCommitted(
  (events) => {
    for (const e of events) {
      if (e.type === 'member.joined' || e.type === 'member.left' || e.type === 'user.updated' || e.type === 'access.revoked') {
        actorCache.deleteWhere((_key, actor) => actor.id === e.userId);
      }
    }
  },
  { remote: true },
);

/** Forget every resolved session (invalidations from other processes may have been missed). */
export function forgetActors(): void {
  actorCache.clear();
}

/** Resolve a bearer secret (session token or API key) to an Actor, or null. */
export async function authenticate(secret: string): Promise<Actor | null> {
  if (!secret || secret.length > 200) return null;
  return authenticateHash(sha256(secret));
}

/** The same, from the secret's hash (sockets keep the hash, never the secret). Cached briefly. */
export async function authenticateHash(hash: string): Promise<Actor | null> {
  const cached = actorCache.get(hash);
  if (cached) return cached;
  const actor = await reauthenticate(hash);
  if (actor) actorCache.set(hash, actor);
  return actor;
}

/** The SHA-256 under which a secret is stored and cached. */
export const secretHashOf = (secret: string) => sha256(secret);

/** Resolve a secret's hash from the database, bypassing the cache: for privileged socket commands. */
export async function reauthenticate(secretHash: string): Promise<Actor | null> {
  const cred = await Credential.findOne({
    where: { secretHash, revokedAt: null, [Op.or]: [{ expiresAt: null }, { expiresAt: { [Op.gt]: new Date() } }] },
  });
  if (!cred) return null;
  const user = await User.findByPk(cred.userId);
  if (!user) return null;
  // Touch at most once an hour: a write per request would serialise every read on SQLite.
  if (!cred.lastUsedAt || Date.now() - cred.lastUsedAt.getTime() > 3600_000) {
    await withTransaction((transaction) => Credential.update({ lastUsedAt: new Date() }, { where: { id: cred.id }, transaction }));
  }
  return actorFor(user, cred.kind === 'api_key' ? cred.scopes : null, cred.id);
}

/**
 * Build the Actor (user + chapter memberships) used by policies. `suspended` is the standing at
 * `now`: a suspension whose end has passed no longer counts (tests pass their own clock).
 */
export async function actorFor(user: User, scopes: string[] | null = null, credentialId: number | null = null, now: Date = new Date()): Promise<Actor> {
  const memberships = await Membership.findAll({ where: { userId: user.id } });
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    suspended: standingOf(user, now).status !== 'active',
    memberships: new Map(memberships.map((m) => [m.chapterId, { status: m.status, role: m.role }])),
    scopes,
    credentialId,
    timeZone: user.timeZone ?? null,
  };
}

/** Update the caller's own profile. */
export async function updateProfile(userId: number, patch: { displayName?: string; analyticsConsent?: boolean; locale?: string; timeZone?: string | null }) {
  const user = await withTransaction(async (transaction) => {
    const user = await User.findByPk(userId, { transaction });
    if (!user) throw NotFound('User');
    const consentChanged = patch.analyticsConsent !== undefined && patch.analyticsConsent !== user.analyticsConsent;
    const nameChanged = patch.displayName !== undefined && (patch.displayName.trim() || user.username) !== user.displayName;
    if (patch.displayName !== undefined) user.displayName = patch.displayName.trim() || user.username;
    if (patch.analyticsConsent !== undefined) user.analyticsConsent = patch.analyticsConsent;
    if (patch.locale !== undefined) user.locale = patch.locale;
    if (patch.timeZone !== undefined) user.timeZone = patch.timeZone;
    await user.save({ transaction });
    if (consentChanged || nameChanged) await recordEvents(transaction, { type: 'user.updated', userId, analyticsConsent: user.analyticsConsent, consentChanged });
    return user;
  });
  // The cached actor carries the time zone: the next page must be written in the new one.
  if (patch.timeZone !== undefined) actorCache.deleteWhere((_key, cached) => cached.id === userId);
  return user;
}

/** Set a member's role (admin only; authorised by the caller). Audit-logged. */
export async function setRole(actor: Actor, username: string, role: Role, reason: string | null) {
  return withTransaction(async (transaction) => {
    const user = await User.findOne({ where: { username }, transaction });
    if (!user) throw NotFound('User');
    const from = user.role;
    user.role = role;
    await user.save({ transaction });
    await audit(transaction, actor.id, 'user.setRole', 'user', String(user.id), reason, { from, to: role });
    await recordEvents(
      transaction,
      { type: 'user.updated', userId: user.id, analyticsConsent: user.analyticsConsent, consentChanged: false },
      // Their sockets hold the old role's rights: end them, and the client reconnects with the new role.
      ...(from !== role ? [{ type: 'access.revoked' as const, userId: user.id, credentialId: null, keepCredentialId: null, reason: 'role' as const }] : []),
    );
    return user;
  });
}

/** Create an integration API key; the secret is returned once and only its hash is kept. */
export async function createApiKey(actor: Actor, name: string, scopes: string[]) {
  const key = newSecret('rsk');
  const cred = await withTransaction(async (transaction) => {
    const created = await Credential.create(
      { kind: 'api_key', secretHash: sha256(key), userId: actor.id, name, scopes, expiresAt: null, lastUsedAt: null, revokedAt: null },
      { transaction },
    );
    await audit(transaction, actor.id, 'apiKey.create', 'credential', String(created.id), null, { name, scopes });
    return created;
  });
  return { id: String(cred.id), name, scopes, key, createdAt: cred.createdAt.toISOString() };
}

/** RESONANCE_ADMIN=username:password: create that admin, or reset its password and role. */
export async function bootstrapAdmin(spec: string): Promise<User> {
  const i = spec.indexOf(':');
  const username = spec.slice(0, i);
  const password = spec.slice(i + 1);
  const passwordHash = await hashPassword(password);
  return withTransaction(async (transaction) => {
    const existing = await User.findOne({ where: { username }, transaction });
    if (existing) {
      existing.passwordHash = passwordHash;
      existing.role = 'admin';
      existing.suspendedAt = null;
      existing.suspendedUntil = null;
      await existing.save({ transaction });
      return existing;
    }
    return User.create({ username, displayName: username, passwordHash, role: 'admin', locale: null, suspendedAt: null }, { transaction });
  });
}
