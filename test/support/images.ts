/** Real image files for upload tests, built with sharp (and one hand-patched PNG header). */
import zlib from 'node:zlib';
import sharp from 'sharp';

/** A solid-colour PNG. */
export function solidPng(width = 64, height = 48, background = '#d33'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();
}

/** A noisy (barely compressible) JPEG: its WebP variants weigh tens of kilobytes. */
export function noisyJpeg(width = 900, height = 700, seed = 1): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: (seed * 37) % 255, g: 90, b: 140 }, noise: { type: 'gaussian', mean: 120 + (seed % 10), sigma: 60 } } }).jpeg({ quality: 90 }).toBuffer();
}

/** A JPEG carrying EXIF GPS coordinates (Shenzhen) and the camera's make. */
export function jpegWithGps(width = 800, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366aa' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'Cam 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '22/1 32/1 3000/100', GPSLongitudeRef: 'E', GPSLongitude: '113/1 56/1 1200/100' },
    })
    .toBuffer();
}

/** A landscape JPEG whose EXIF orientation (6) says: rotate 90° to show it (a portrait, as phones take them). */
export function jpegRotated(width = 600, height = 400): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#2a7' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
}

/** The GPS IFD pointer (tag 0x8825, type LONG, count 1) in a little-endian EXIF block. */
const GPS_POINTER = Buffer.from([0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]);
/** The same pointer in a big-endian EXIF block. */
const GPS_POINTER_BE = Buffer.from([0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A decompression bomb: a valid PNG of a few hundred bytes whose header declares `side`×`side`
 * pixels (400 million at 20000), with a zlib stream of the first rows only. Decoding it would
 * allocate over a gigabyte.
 */
export function pngBomb(side = 20000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((side + 1) * 4); // four rows of zeros (filter byte + pixels)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Whether a served file still carries EXIF (any) or GPS specifically. */
export async function metadataOf(buf: Buffer) {
  const meta = await sharp(buf).metadata();
  const exif = meta.exif;
  return { format: meta.format, width: meta.width, height: meta.height, hasExif: !!exif, hasGps: !!exif && (exif.includes(GPS_POINTER) || exif.includes(GPS_POINTER_BE)), orientation: meta.orientation };
}
