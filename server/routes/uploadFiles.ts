/**
 * GET /uploads/:name: the re-encoded variants (never the original as uploaded). Names are
 * content-addressed and unguessable without the image, so they are cached for a year as
 * immutable. Served with a type we set (never sniffed), a sandboxing CSP and a safe filename.
 */
import { Router, type Response } from 'express';
import { SERVED_NAME } from '../uploads/images';
import type { UploadStorage } from '../uploads/storage';

const IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

function notFound(res: Response) {
  res.status(404).setHeader('Cache-Control', 'no-store');
  res.type('text/plain').send('Not found');
}

/** The router serving stored upload variants. */
export function uploadFiles(storage: UploadStorage): Router {
  const r = Router();
  r.get('/uploads/:name', async (req, res) => {
    const name = req.params.name;
    if (!SERVED_NAME.test(name)) return notFound(res);
    const stored = await storage.get(name);
    if (!stored) return notFound(res);
    res.setHeader('Content-Type', 'image/webp');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', `inline; filename="${name}"`);
    res.setHeader('Content-Security-Policy', IMAGE_CSP);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Content-Length', String(stored.data.length));
    res.end(req.method === 'HEAD' ? undefined : stored.data);
  });
  return r;
}
