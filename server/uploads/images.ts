/**
 * The image pipeline: type by content (sharp reads the header's magic bytes; the name and the
 * Content-Type are never consulted), size and pixel limits checked from the header before any
 * decoding, then a re-encode that auto-rotates (keeping the photo's orientation) and drops every
 * metadata block (EXIF with GPS, XMP, ICC comments). Only the re-encoded variants are stored; the
 * original bytes never leave this function.
 */
import crypto from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { AppError, Invalid } from '../errors';
import { t } from '../i18n';

/** What the pipeline accepts, by the format sharp detects. GIFs keep their first frame only. */
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif']);

export type ImagePurpose = 'post' | 'avatar';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export interface ImageVariant {
  name: string;
  data: Buffer;
}

export interface ProcessedImage {
  /** Content-addressed: 32 hex digits of the display variant's SHA-256, then its `-WxH`. */
  key: string;
  width: number;
  height: number;
  /** Bytes stored (all variants): what counts towards the quota. */
  bytes: number;
  variants: ImageVariant[];
}

/** The display variant's longest side for post images; the thumbnail's width. */
export const DISPLAY_MAX = 1280;
export const THUMB_WIDTH = 320;
/** Avatar squares: the large one (profile) and the small one (posts, lists). */
export const AVATAR_LARGE = 192;
export const AVATAR_SMALL = 96;

const KEY = /^[a-f0-9]{32}-(\d{1,5})x(\d{1,5})$/;
/** A served name: `<key>.webp` (display / large avatar) or `<key>.thumb.webp`. */
export const SERVED_NAME = /^([a-f0-9]{32}-\d{1,5}x\d{1,5})(\.thumb)?\.webp$/;

/** The display variant's URL path for a key. */
export const displayPath = (key: string) => `/uploads/${key}.webp`;
/** The thumbnail's URL path for a key. */
export const thumbPath = (key: string) => `/uploads/${key}.thumb.webp`;

/** Width and height encoded in a key, or null when it is not one. */
export function keyDimensions(key: string): { width: number; height: number } | null {
  const m = KEY.exec(key);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

function tooLarge(key: string, vars: Record<string, string | number>): AppError {
  return new AppError('payload_too_large', t('en', key, vars), undefined, { key, vars });
}

/** 400 (CONTRACT): not an image we accept (text renamed .png, SVG, PDF ...), named by content. */
export const NotAnImage = () => Invalid('file', 'upload.error.type', {}, false);
/** 413: more bytes than UPLOAD_MAX_BYTES. */
export const ImageTooLarge = (maxBytes: number) => tooLarge('upload.error.tooLarge', { mb: +(maxBytes / 1048576).toFixed(1) });
/** 413: the header declares more pixels than UPLOAD_MAX_PIXELS (a decompression bomb, or a huge scan). */
export const TooManyPixels = (maxPixels: number) => tooLarge('upload.error.tooManyPixels', { megapixels: Math.round(maxPixels / 1e6) });

/** Read the header only: format and declared size, refused before any pixel is decoded. */
async function inspect(input: Buffer, limits: ImageLimits): Promise<Metadata> {
  if (input.length === 0) throw NotAnImage();
  if (input.length > limits.maxBytes) throw ImageTooLarge(limits.maxBytes);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: limits.maxPixels }).metadata();
  } catch (err) {
    if (/pixel limit/i.test(String((err as Error).message))) throw TooManyPixels(limits.maxPixels);
    throw NotAnImage();
  }
  if (!meta.format || !ACCEPTED.has(meta.format)) throw NotAnImage();
  if (!meta.width || !meta.height) throw NotAnImage();
  // For an animated GIF or WebP, `height` is one frame's; only the first frame is decoded.
  if (meta.width * meta.height > limits.maxPixels) throw TooManyPixels(limits.maxPixels);
  return meta;
}

/** A decoder for the first frame, with the pixel limit as a second wall, auto-rotated by EXIF. */
const decoder = (input: Buffer, limits: ImageLimits) => sharp(input, { limitInputPixels: limits.maxPixels, animated: false, failOn: 'error' }).rotate();

const contentKey = (data: Buffer, width: number, height: number) => `${crypto.createHash('sha256').update(data).digest('hex').slice(0, 32)}-${width}x${height}`;

/** Check and re-encode an upload into its served variants (WebP, no metadata). */
export async function processImage(input: Buffer, purpose: ImagePurpose, limits: ImageLimits): Promise<ProcessedImage> {
  await inspect(input, limits);
  try {
    if (purpose === 'avatar') {
      const large = await decoder(input, limits).resize(AVATAR_LARGE, AVATAR_LARGE, { fit: 'cover', position: 'attention' }).webp({ quality: 85 }).toBuffer();
      const small = await sharp(large).resize(AVATAR_SMALL, AVATAR_SMALL).webp({ quality: 85 }).toBuffer();
      const key = contentKey(large, AVATAR_LARGE, AVATAR_LARGE);
      return { key, width: AVATAR_LARGE, height: AVATAR_LARGE, bytes: large.length + small.length, variants: [{ name: `${key}.webp`, data: large }, { name: `${key}.thumb.webp`, data: small }] };
    }
    const display = await decoder(input, limits)
      .resize({ width: DISPLAY_MAX, height: DISPLAY_MAX, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    const thumb = await sharp(display.data).resize({ width: THUMB_WIDTH, withoutEnlargement: true }).webp({ quality: 78 }).toBuffer();
    const key = contentKey(display.data, display.info.width, display.info.height);
    return {
      key,
      width: display.info.width,
      height: display.info.height,
      bytes: display.data.length + thumb.length,
      variants: [{ name: `${key}.webp`, data: display.data }, { name: `${key}.thumb.webp`, data: thumb }],
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (/pixel limit/i.test(String((err as Error).message))) throw TooManyPixels(limits.maxPixels);
    // A header that parses over a body that does not (truncated, corrupt): not an image we can use.
    throw NotAnImage();
  }
}
