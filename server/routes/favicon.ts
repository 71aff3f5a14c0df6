/**
 * The favicon: static/favicon.svg for browsers that take SVG, and /favicon.ico (a 32×32 PNG in an
 * ICO container, drawn from the same SVG with sharp once, on first request) for the rest and for
 * crawlers that ask for it blindly. Both are cached by browsers for a week.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Router, type Response } from 'express';
import sharp from 'sharp';

const ONE_WEEK_SECONDS = 7 * 86400;

/** Wrap one PNG in an ICO file (ICONDIR + one ICONDIRENTRY; PNG payloads are valid since Windows Vista). */
function icoFromPng(png: Buffer, size: number): Buffer {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size >= 256 ? 0 : size, 6);
  header.writeUInt8(size >= 256 ? 0 : size, 7);
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, png]);
}

function send(res: Response, type: string, body: Buffer, etag: string) {
  res.set({ 'Content-Type': type, 'Cache-Control': `public, max-age=${ONE_WEEK_SECONDS}`, ETag: etag });
  if (res.req.headers['if-none-match'] === etag) return void res.status(304).end();
  res.send(body);
}

/** GET /favicon.svg and /favicon.ico, from `staticDir`/favicon.svg. */
export function faviconRoutes(staticDir: string): Router {
  const r = Router();
  const svg = fs.readFileSync(path.join(staticDir, 'favicon.svg'));
  const tag = (b: Buffer) => `"${crypto.createHash('sha256').update(b).digest('base64url').slice(0, 16)}"`;
  const svgTag = tag(svg);
  let ico: Promise<{ body: Buffer; etag: string }> | null = null;

  r.get('/favicon.svg', (_req, res) => send(res, 'image/svg+xml', svg, svgTag));
  r.get('/favicon.ico', async (_req, res) => {
    ico ??= sharp(svg, { density: 72 * 4 })
      .resize(32, 32)
      .png()
      .toBuffer()
      .then((png) => {
        const body = icoFromPng(png, 32);
        return { body, etag: tag(body) };
      });
    const { body, etag } = await ico;
    send(res, 'image/x-icon', body, etag);
  });
  return r;
}
