/**
 * Child-process seeding script for benchmarks: opens DATA_DIR through the real services, creates
 * a public chapter with members and one thread of 50 posts (Chinese/English Markdown with
 * @mentions), drains the notification pipeline, then prints `{threadId, memberToken, ...}` as
 * one JSON line on stdout. Run as `node --import tsx bench/support/seed-thread.ts`.
 */
import { loadConfig } from '../../server/config';
import { openDatabase, closeDatabase } from '../../server/db';
import { migrate } from '../../server/migrate';
import { log } from '../../server/log';
import { Thread, User } from '../../server/models';
import { register, actorFor } from '../../server/services/accounts';
import { createChapter, joinChapter } from '../../server/services/chapters';
import { createCategory } from '../../server/services/categories';
import { createThread, loadThread } from '../../server/services/threads';
import { createPost } from '../../server/services/posts';
import { createDispatcher } from '../../server/workers/dispatcher';
import { processorsFor } from '../../server/workers';

export interface SeededThread {
  threadId: string;
  posts: number;
  /** Session token of a chapter member: the value of the `rs_session` cookie. */
  memberToken: string;
  memberUsername: string;
  /** Session tokens of every member (the thread's authors), for loads of many different viewers. */
  memberTokens: string[];
}

const PASSWORD = 'bench password 123';
const NAMES = ['xiaoming', 'lin_yue', 'chen_driver', 'ev_fan_sh', 'amy_w', 'zhao_lei', 'moderator_li', 'roadtrip_jun'];

// Realistic bodies: headings, lists, quotes, links, code, emphasis, mixed scripts, mentions.
const BODIES: Array<(mention: string) => string> = [
  (m) => `今天去 **上海嘉定** 试驾了新款，续航比想象中好很多。@${m} 你上次说的冬季掉电问题，我这次 -2°C 跑了 180 km，表显掉了 23%。\n\n- 方向盘手感：偏轻，运动模式好一些\n- 车机：反应快，语音识别 *普通话* 没问题，粤语一般\n- 座椅：后排地板有点高\n\n总体 8/10，准备下订。`,
  (m) => `> 续航比想象中好很多\n\n同意楼上。补充一点：高速 120 km/h 巡航的话，实际能耗大概 **17.5 kWh/100km**，和官方数据差距不大。@${m} 有没有测过满载？`,
  (m) => `Just got back from the Hangzhou meetup, thanks @${m} for organising! A few notes for the English-speaking members:\n\n1. OTA 3.2 fixes the *phantom braking* issue on our side\n2. The app still logs you out every ~7 days\n3. Charging at the new 480 kW stations peaks around 310 kW in practice\n\nPhotos: [album](https://example.com/album/2024-hz)`,
  (m) => `## 周末同城活动报名\n\n时间：**周六 9:30**，地点：滴水湖停车场（南门）。\n\n| 项目 | 负责人 |\n|---|---|\n| 车队 | @${m} |\n| 拍照 | 我 |\n\n回复 +1 报名，名额 30 个。`,
  (m) => `车机里这个设置藏得很深：\`设置 → 车辆 → 能量 → 保温模式\`。@${m} 之前问过，我截图发群里了。\n\n\`\`\`\nBMS_TEMP_TARGET=25\nPRECONDITION=auto\n\`\`\`\n\n不要乱改工程模式里的参数！`,
  (m) => `说实话这次的售后体验很拉胯 😤 预约了三次都被改期，客服只会说"已反馈"。@${m} 你们门店也这样吗？希望官方能看到这个帖子。`,
  (m) => `Agree with @${m}. The service centre in Shenzhen was the opposite experience for me — booked on Monday, done by Wednesday, and they even washed the car. Maybe it depends a lot on the store manager.`,
  (m) => `### 冬季用车小结\n\n1. 出门前 **远程预热** 15 分钟\n2. 胎压冷车时补到 2.6 bar\n3. 尽量用慢充，电池温度低时快充功率会被限制\n\n@${m} 可以加精吗？感觉新人用得上。`,
];

async function main(): Promise<void> {
  const config = loadConfig();
  log.setLevel('warn');
  const sequelize = await openDatabase(config);
  await migrate(sequelize);

  const { user: adminUser } = await register({ username: 'bench_admin', password: PASSWORD, displayName: '管理员' });
  adminUser.role = 'admin';
  await adminUser.save();
  const admin = await actorFor(adminUser);

  const chapter = await createChapter(admin, { slug: 'shanghai', name: '上海同城会', city: '上海', visibility: 'public', description: '上海车友的聚集地' });
  const category = await createCategory(admin, { slug: 'experience', name: '用车体验' });

  const members = [];
  for (const [i, username] of NAMES.entries()) {
    const { user, token } = await register({ username, password: PASSWORD, displayName: ['小明', '林悦', '陈师傅', '电车迷', 'Amy W.', '赵磊', '李版主', '自驾俊'][i] });
    await joinChapter(await actorFor(user), chapter);
    members.push({ user, token, actor: await actorFor(user) });
  }

  const starter = members[0];
  const { thread } = await createThread(starter.actor, {
    title: '【试驾报告】新款冬季续航实测 + 同城周末活动 | Winter range test & weekend meetup',
    body: BODIES[0](members[1].user.username),
    chapter,
    category,
  });
  const postIds: number[] = [];
  for (let i = 1; i < 50; i++) {
    const author = members[i % members.length];
    const mention = members[(i + 3) % members.length].user.username;
    const ctx = await loadThread(author.actor, thread.id);
    const body = `${BODIES[i % BODIES.length](mention)}\n\n<sub>#${i + 1}</sub>`;
    const replyTo = i % 5 === 0 && postIds.length ? postIds[postIds.length - 1] : undefined;
    const post = await createPost(author.actor, ctx, { body, replyTo });
    postIds.push(post.id);
  }

  // Process the notifications now, so the server under test starts with an empty backlog.
  const dispatcher = createDispatcher(processorsFor('all'));
  dispatcher.start();
  await dispatcher.drain(60_000);
  await dispatcher.stop();

  const fresh = await Thread.findByPk(thread.id);
  const member = members[2];
  const seeded: SeededThread = { threadId: String(thread.id), posts: fresh?.postCount ?? 0, memberToken: member.token, memberUsername: (await User.findByPk(member.user.id))!.username, memberTokens: members.map((m) => m.token) };
  await closeDatabase();
  process.stdout.write(`${JSON.stringify(seeded)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
