/**
 * Uploads API: POST /uploads takes one image, as multipart field `file` (CONTRACT) or as the raw
 * request body; GET /uploads lists the member's own with the quota; DELETE /uploads/:id removes one.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { Invalid, Unauthenticated } from '../../errors';
import { createUpload, deleteUpload, listUploads, usedBytes } from '../../services/uploads';
import { presentUpload } from '../../presenters/upload';
import { ImageTooLarge } from '../../uploads/images';
import { boundaryOf, multipartFile } from '../../uploads/multipart';
import { parse, id, limit } from '../schemas';
import type { HttpDeps } from '../deps';

/** Room for the multipart headers around the file. */
const MULTIPART_SLACK = 16 * 1024;
const listQuery = z.object({ limit: limit(50, 200) });

/** Read the body (capped) before the handler; a signed-out caller is refused before reading. */
function imageBody(maxBytes: number) {
  const raw = express.raw({ type: () => true, limit: maxBytes + MULTIPART_SLACK });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.actor) return next(Unauthenticated());
    if (Number(req.headers['content-length'] ?? 0) > maxBytes + MULTIPART_SLACK) return next(ImageTooLarge(maxBytes));
    raw(req, res, (err?: unknown) => next((err as { type?: string } | undefined)?.type === 'entity.too.large' ? ImageTooLarge(maxBytes) : err));
  };
}

/** The uploaded file's bytes: multipart field `file`, else the whole body. */
function fileOf(req: Request): Buffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body)) throw Invalid('file', 'upload.error.missing', {}, false);
  const boundary = boundaryOf(req.headers['content-type']);
  const file = boundary ? multipartFile(body, boundary, 'file') : body;
  if (!file || file.length === 0) throw Invalid('file', 'upload.error.missing', {}, false);
  return file;
}

export function uploadsApi({ limits, uploads, config }: HttpDeps): Router {
  const r = Router();

  r.post('/uploads', limits.uploads, imageBody(config.UPLOAD_MAX_BYTES), async (req, res) => {
    const upload = await createUpload(req.actor!, fileOf(req), uploads);
    res.status(201).json({ upload: presentUpload(upload) });
  });

  r.get('/uploads', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    const q = parse(listQuery, req.query);
    const items = await listUploads(req.actor, q.limit);
    res.json({ items: items.map(presentUpload), usedBytes: await usedBytes(req.actor.id), quotaBytes: uploads.quotaBytes });
  });

  r.delete('/uploads/:id', async (req, res) => {
    if (!req.actor) throw Unauthenticated();
    await deleteUpload(req.actor, Number(parse(id, req.params.id, 'id')), uploads);
    res.status(204).end();
  });

  return r;
}
