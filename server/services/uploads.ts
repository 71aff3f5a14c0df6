/**
 * Uploads: post images and avatars through one pipeline (server/uploads/images.ts) into one
 * storage (server/uploads/storage.ts), with a per-member quota. Authorization via policies.ts.
 */
import { Op } from 'sequelize';
import { Upload, User } from '../models';
import { authorize, type Actor } from '../policies';
import { AppError, NotFound } from '../errors';
import { t } from '../i18n';
import { withTransaction } from '../db';
import { recordEvents } from '../events';
import { processImage, type ImageLimits, type ProcessedImage } from '../uploads/images';
import type { UploadStorage } from '../uploads/storage';

export interface UploadSettings {
  storage: UploadStorage;
  limits: ImageLimits;
  /** Bytes of stored variants a member may hold (all their uploads and avatars). */
  quotaBytes: number;
}

const mb = (bytes: number) => +(bytes / 1048576).toFixed(1);

/** 409 (CONTRACT): the member's quota would be exceeded; the message says how much is used. */
export function QuotaExceeded(usedBytes: number, quotaBytes: number): AppError {
  const vars = { used: mb(usedBytes), quota: mb(quotaBytes) };
  return new AppError('conflict', t('en', 'upload.error.quota', vars), undefined, { key: 'upload.error.quota', vars });
}

/** Bytes a member's uploads take in storage. */
export async function usedBytes(userId: number): Promise<number> {
  return Number((await Upload.sum('bytes', { where: { userId } })) ?? 0);
}

/** A member's own uploads, newest first. */
export async function listUploads(actor: Actor, limit: number): Promise<Upload[]> {
  authorize(actor, 'upload.create', null);
  return Upload.findAll({ where: { userId: actor.id, purpose: 'post' }, order: [['id', 'DESC']], limit });
}

/** Store a processed image for a member (or return their row for the same image: no double quota). */
function store(actor: Actor, image: ProcessedImage, purpose: 'post' | 'avatar', settings: UploadSettings): Promise<Upload> {
  // Check and claim in one step: two parallel uploads must not both fit in the last free bytes.
  // One at a time per member in this process; across processes, the member's row is locked for
  // the transaction (Postgres; SQLite runs one write transaction at a time anyway).
  return oneAtATime(actor.id, () =>
    withTransaction(async (transaction) => {
      await User.findByPk(actor.id, { transaction, lock: transaction.LOCK.UPDATE });
      const existing = await Upload.findOne({ where: { userId: actor.id, purpose, key: image.key }, transaction });
      if (existing) return existing;
      const used = Number((await Upload.sum('bytes', { where: { userId: actor.id }, transaction })) ?? 0);
      if (used + image.bytes > settings.quotaBytes) throw QuotaExceeded(used, settings.quotaBytes);
      // Files first: a row never names variants that are not there. Names are content-addressed, so
      // a concurrent upload of the same image writes the same bytes.
      for (const v of image.variants) await settings.storage.put(v.name, v.data, 'image/webp');
      return Upload.create({ userId: actor.id, key: image.key, purpose, bytes: image.bytes, width: image.width, height: image.height }, { transaction });
    }),
  );
}

const queues = new Map<number, Promise<unknown>>();
/** Run fn after every earlier call for the same member has settled (a per-member queue in this process). */
function oneAtATime<T>(userId: number, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(userId) ?? Promise.resolve()).then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(userId, settled);
  void settled.then(() => {
    if (queues.get(userId) === settled) queues.delete(userId);
  });
  return run;
}

/** Check, re-encode and store an image a member uploads for a post. */
export async function createUpload(actor: Actor, data: Buffer, settings: UploadSettings): Promise<Upload> {
  authorize(actor, 'upload.create', null);
  const image = await processImage(data, 'post', settings.limits);
  return store(actor, image, 'post', settings);
}

/** Remove a row; the files go when no other row (any member's) names the same key. */
async function forget(upload: Upload, settings: UploadSettings): Promise<void> {
  await upload.destroy();
  const shared = await Upload.count({ where: { key: upload.key } });
  if (shared === 0) for (const suffix of ['.webp', '.thumb.webp']) await settings.storage.delete(`${upload.key}${suffix}`);
}

/** Delete an upload (its owner or a moderator). Posts that show it then show a broken image. */
export async function deleteUpload(actor: Actor, uploadId: number, settings: UploadSettings): Promise<void> {
  const upload = await Upload.findByPk(uploadId);
  if (!upload) throw NotFound('Upload');
  authorize(actor, 'upload.delete', { upload: { userId: upload.userId } });
  if (upload.purpose === 'avatar') await User.update({ avatarKey: null }, { where: { id: upload.userId, avatarKey: upload.key } });
  await forget(upload, settings);
}

/**
 * Make one of the member's post uploads their avatar (square crops of its display variant), or
 * drop the avatar with null. Cached pages show the change: it is a `user.updated` event.
 */
export async function setAvatar(actor: Actor, uploadId: number | null, settings: UploadSettings): Promise<User> {
  let key: string | null = null;
  if (uploadId !== null) {
    const source = await Upload.findByPk(uploadId);
    if (!source || source.purpose !== 'post') throw NotFound('Upload');
    authorize(actor, 'upload.use', { upload: { userId: source.userId } });
    const display = await settings.storage.get(`${source.key}.webp`);
    if (!display) throw NotFound('Upload');
    const avatar = await store(actor, await processImage(display.data, 'avatar', settings.limits), 'avatar', settings);
    key = avatar.key;
  }
  const user = await withTransaction(async (transaction) => {
    const u = await User.findByPk(actor.id, { transaction });
    if (!u) throw NotFound('User');
    u.avatarKey = key;
    await u.save({ transaction });
    await recordEvents(transaction, { type: 'user.updated', userId: u.id, analyticsConsent: u.analyticsConsent, consentChanged: false });
    return u;
  });
  // Earlier avatars are no longer shown anywhere: give their bytes back to the quota.
  const old = await Upload.findAll({ where: { userId: actor.id, purpose: 'avatar', ...(key ? { key: { [Op.ne]: key } } : {}) } });
  for (const row of old) await forget(row, settings);
  return user;
}
