/**
 * GET /uploads/:name: the re-encoded variants (never the original as uploaded), served with a type
 * we set (never sniffed), a sandboxing CSP and a safe filename. Secure uploads: an image shown in
 * a private chapter goes only to those who may read such a post, one sent in a private message
 * only to those who may read or review that conversation (and both to their uploaders); anyone
 * else gets the same 404 as for a name that does not exist. Names are content-addressed, so public
 * images are cached for a year as immutable; the others never by shared caches.
 */
import { Router, type Response } from 'express';
import { SERVED_NAME } from '../uploads/images';
import type { UploadStorage } from '../uploads/storage';
import { can } from '../policies';
import { resolveActor } from '../middleware/auth';
import { uploadAccess, visibilityOf } from '../services/uploadUses';

const IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";
const PUBLIC_CACHE = 'public, max-age=31536000, immutable';
// The viewer's own browser may keep it for a while; a CDN or proxy never does.
const PRIVATE_CACHE = 'private, max-age=3600';

function notFound(res: Response) {
  res.status(404).setHeader('Cache-Control', 'no-store');
  res.type('text/plain').send('Not found');
}

/** The router serving stored upload variants. */
export function uploadFiles(storage: UploadStorage): Router {
  const r = Router();
  r.get('/uploads/:name', async (req, res) => {
    const name = req.params.name;
    const served = SERVED_NAME.exec(name);
    if (!served) return notFound(res);
    const access = await uploadAccess(served[1]);
    const visibility = visibilityOf(access);
    // Mounted before the session middleware: only private images look at who is asking.
    if (visibility === 'private' && !can(await resolveActor(req), 'upload.read', access)) return notFound(res);
    const stored = await storage.get(name);
    if (!stored) return notFound(res);
    res.setHeader('Content-Type', 'image/webp');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', `inline; filename="${name}"`);
    res.setHeader('Content-Security-Policy', IMAGE_CSP);
    res.setHeader('Cache-Control', visibility === 'public' ? PUBLIC_CACHE : PRIVATE_CACHE);
    if (visibility === 'private') res.setHeader('Vary', 'Cookie, Authorization');
    res.setHeader('Content-Length', String(stored.data.length));
    res.end(req.method === 'HEAD' ? undefined : stored.data);
  });
  return r;
}
