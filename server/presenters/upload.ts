/** The upload shape (CONTRACT: {id, url, width, height, bytes}, plus thumbnailUrl and markdown). */
import type { Upload } from '../models';
import { displayPath, thumbPath } from '../uploads/images';

export function presentUpload(upload: Upload) {
  const url = displayPath(upload.key);
  return {
    id: String(upload.id),
    url,
    thumbnailUrl: thumbPath(upload.key),
    width: upload.width,
    height: upload.height,
    bytes: upload.bytes,
    /** What the composer inserts into a post. */
    markdown: `![](${url})`,
    createdAt: upload.createdAt ? new Date(upload.createdAt).toISOString() : undefined,
  };
}
