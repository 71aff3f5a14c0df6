/**
 * Child-process seeding for bench/thread-images.bench.ts: two threads of 20 posts with the same
 * text, one where every post carries a photo uploaded through the real pipeline (createUpload,
 * local disk under DATA_DIR/uploads), one without. Prints `{withImages, withoutImages, image,
 * memberToken, memberUsername}` as one JSON line.
 */
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../../server/config';
import { openDatabase, closeDatabase } from '../../server/db';
import { migrate } from '../../server/migrate';
import { log } from '../../server/log';
import { register, actorFor } from '../../server/services/accounts';
import { createChapter, joinChapter } from '../../server/services/chapters';
import { createThread, loadThread } from '../../server/services/threads';
import { createPost } from '../../server/services/posts';
import { createUpload } from '../../server/services/uploads';
import { LocalDiskStorage } from '../../server/uploads/storage';
import { createDispatcher } from '../../server/workers/dispatcher';
import { processorsFor } from '../../server/workers';

export interface SeededImageThreads {
  withImages: string;
  withoutImages: string;
  posts: number;
  /** One stored display variant, to measure serving an image. */
  image: string;
  memberToken: string;
  memberUsername: string;
}

const POSTS = 20;
const PASSWORD = 'bench password 123';

/** A photo-sized (1600×1200) JPEG with some texture, different per index. */
function photo(i: number): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: (i * 53) % 255, g: 120, b: 160 }, noise: { type: 'gaussian', mean: 110, sigma: 25 } } }).jpeg({ quality: 85 }).toBuffer();
}

async function main(): Promise<void> {
  const config = loadConfig();
  log.setLevel('warn');
  const sequelize = await openDatabase(config);
  await migrate(sequelize);
  const settings = {
    storage: new LocalDiskStorage(path.join(config.dataDir, 'uploads')),
    limits: { maxBytes: config.UPLOAD_MAX_BYTES, maxPixels: config.UPLOAD_MAX_PIXELS },
    quotaBytes: config.UPLOAD_QUOTA_BYTES_PER_MEMBER,
  };
  const { user: adminUser } = await register({ username: 'bench_admin', password: PASSWORD, displayName: '管理员' });
  adminUser.role = 'admin';
  await adminUser.save();
  const chapter = await createChapter(await actorFor(adminUser), { slug: 'roadtrip', name: '自驾游', city: '深圳', visibility: 'public', description: '晒图' });
  const { user, token } = await register({ username: 'photo_fan', password: PASSWORD, displayName: '爱拍照的小周' });
  await joinChapter(await actorFor(user), chapter);
  const actor = await actorFor(user);

  const text = (i: number) => `第 ${i + 1} 站：大鹏半岛，海边公路风景很好，停车拍了一张。[赞]`;
  const markdown: string[] = [];
  for (let i = 0; i < POSTS; i++) markdown.push(`![](/uploads/${(await createUpload(actor, await photo(i), settings)).key}.webp)`);

  const ids: string[] = [];
  for (const withImages of [true, false]) {
    const body = (i: number) => (withImages ? `${text(i)}\n\n${markdown[i]}` : text(i));
    const { thread } = await createThread(actor, { title: withImages ? '自驾大鹏，20 张图' : '自驾大鹏，纯文字', body: body(0), chapter, category: null });
    for (let i = 1; i < POSTS; i++) await createPost(actor, await loadThread(actor, thread.id), { body: body(i) });
    ids.push(String(thread.id));
  }
  const dispatcher = createDispatcher(processorsFor('all'));
  dispatcher.start();
  await dispatcher.drain(60_000);
  await dispatcher.stop();
  await closeDatabase();
  const seeded: SeededImageThreads = { withImages: ids[0], withoutImages: ids[1], posts: POSTS, image: /\((\/uploads\/[^)]+)\)/.exec(markdown[0])![1], memberToken: token, memberUsername: user.username };
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
