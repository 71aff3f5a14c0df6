/**
 * Text for the large synthetic community (server/seed-large.ts): titles, posts, names and cities,
 * combined from phrase lists by the seed's PRNG. Nothing here comes from a dataset; the slots
 * ({model}, {feature}, ...) are seed-data's, so the demo and the large community speak alike.
 */
import { SLOTS } from './seed-data';
import type { Rng } from './seed';

/** Cities for the generated chapters: [name, slug stem]. Rounds past the list become 二群, 三群 ... */
export const CITIES: ReadonlyArray<readonly [string, string]> = [
  ['广州', 'guangzhou'], ['重庆', 'chongqing'], ['武汉', 'wuhan'], ['西安', 'xian'], ['南京', 'nanjing'], ['天津', 'tianjin'],
  ['苏州', 'suzhou'], ['长沙', 'changsha'], ['郑州', 'zhengzhou'], ['青岛', 'qingdao'], ['沈阳', 'shenyang'], ['宁波', 'ningbo'],
  ['东莞', 'dongguan'], ['佛山', 'foshan'], ['合肥', 'hefei'], ['昆明', 'kunming'], ['大连', 'dalian'], ['厦门', 'xiamen'],
  ['福州', 'fuzhou'], ['济南', 'jinan'], ['无锡', 'wuxi'], ['哈尔滨', 'harbin'], ['长春', 'changchun'], ['南宁', 'nanning'],
  ['贵阳', 'guiyang'], ['南昌', 'nanchang'], ['石家庄', 'shijiazhuang'], ['太原', 'taiyuan'], ['兰州', 'lanzhou'], ['乌鲁木齐', 'urumqi'],
  ['海口', 'haikou'], ['三亚', 'sanya'], ['珠海', 'zhuhai'], ['惠州', 'huizhou'], ['温州', 'wenzhou'], ['绍兴', 'shaoxing'],
  ['嘉兴', 'jiaxing'], ['金华', 'jinhua'], ['常州', 'changzhou'], ['南通', 'nantong'], ['徐州', 'xuzhou'], ['扬州', 'yangzhou'],
  ['烟台', 'yantai'], ['潍坊', 'weifang'], ['洛阳', 'luoyang'], ['襄阳', 'xiangyang'], ['宜昌', 'yichang'], ['株洲', 'zhuzhou'],
  ['桂林', 'guilin'], ['泉州', 'quanzhou'], ['中山', 'zhongshan'], ['江门', 'jiangmen'], ['湛江', 'zhanjiang'], ['汕头', 'shantou'],
  ['呼和浩特', 'hohhot'], ['银川', 'yinchuan'], ['西宁', 'xining'], ['拉萨', 'lhasa'], ['香港', 'hongkong'], ['澳门', 'macau'],
];
const ROUNDS = ['', '二群', '三群', '四群', '五群', '六群'];

/** The n-th generated chapter (0-based). */
export function chapterSpec(n: number): { slug: string; name: string; city: string; description: string } {
  const [city, stem] = CITIES[n % CITIES.length];
  const round = Math.floor(n / CITIES.length);
  const suffix = ROUNDS[round] ?? `${round + 1}群`;
  return { slug: round ? `${stem}-${round + 1}` : stem, name: `${city}同城会${suffix}`, city, description: `${city}的声浪车主和粉丝：自驾、充电、提车作业和同城活动。` };
}

const SYLLABLES = ['xiao', 'da', 'a', 'lao', 'ming', 'hua', 'wei', 'jun', 'li', 'fang', 'tao', 'lei', 'yu', 'chen', 'lin', 'hao', 'jie', 'bo', 'kai', 'xin', 'yang', 'feng', 'long', 'ying'];
const NICK_HEADS = ['爱跑山的', '不吃香菜的', '深夜充电的', '周末露营的', '刚提车的', '等车中的', '佛系', '快乐', '认真', '摸鱼的', '早起的', '喝咖啡的'];
const NICK_TAILS = ['车主', '小浪', '打工人', '奶爸', '老司机', '大学生', '程序员', '摄影师', '猫奴', '骑士', '研究员', '车迷'];
const EN_NAMES = ['Alex', 'Sam', 'Chris', 'Jamie', 'Taylor', 'Morgan', 'Robin', 'Casey', 'Jordan', 'Kim'];

/** A member's username (unique by its number) and display name. */
export function memberName(rng: Rng, n: number, english: boolean): { username: string; displayName: string } {
  const stem = rng.pick(SYLLABLES) + (rng.chance(0.6) ? rng.pick(SYLLABLES) : '');
  const username = `${stem}_${n.toString(36)}`;
  const displayName = english ? `${rng.pick(EN_NAMES)} ${String.fromCharCode(65 + rng.int(0, 25))}.` : `${rng.pick(NICK_HEADS)}${rng.pick(NICK_TAILS)}${rng.int(1, 999)}`;
  return { username, displayName };
}

/** What a thread is about: the category it goes in and the tone its posts lean to. */
export const THREAD_KINDS = [
  { kind: 'car', category: 'stories', weight: 30 },
  { kind: 'phone', category: 'ideas', weight: 15 },
  { kind: 'service', category: 'service', weight: 20 },
  { kind: 'meetup', category: 'events', weight: 15 },
  { kind: 'chat', category: 'stories', weight: 20 },
] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number]['kind'];
export type Tone = 'positive' | 'neutral' | 'negative';

const slot = (rng: Rng, name: string) => rng.pick(SLOTS[name] ?? [name]);
const fill = (rng: Rng, template: string, city: string) => template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'city' ? city : name === 'n' ? String(rng.int(2, 900)) : slot(rng, name)));

const TITLES: Record<ThreadKind, string[]> = {
  car: ['{model} 提车一个月的真实感受', '{model} 冬天续航实测，掉了多少？', '{model} 的{feature}到底好不好用', '纠结 {model} 还是等换代', '{os} 更新后{feature}有变化吗', '{model} 跑了 {n} 公里，说说优缺点'],
  phone: ['{phone} 上手一周体验', '{phone} 和车机互联怎么设置', '{phone} 续航怎么样？', '{phone} 拍照样张分享', '{os} 升级后{phone}发热吗'],
  service: ['{city}的售后体验，说说我的经历', '{model} 维修等了 {n} 天', '交付延期了，有同样情况的吗', '{station}又坏了，什么时候修', '客服回复太慢，怎么办'],
  meetup: ['{weekday}{city}车友聚会报名', '{city}周边自驾路线推荐', '{weekday}一起去{place}露营吗', '{city}同城会{dish}局，来的举手', '{city}充电桩地图更新'],
  chat: ['大家买声浪的原因是什么', '晒晒你们的车和{phone}', '今天的{dish}和{model}', '新人报到，请多关照', '有没有一起跑长途的'],
};
const TITLES_EN = ['First month with the {model}', 'Is the {feature} worth it?', '{phone} review after a week', 'Road trip around {city} this {weekday}?', 'Winter range on the {model}'];

// A post: opener + one or two points + a closer. Each list is by tone, so labels have a reason.
const OPENERS = ['说说我的情况，', '分享一下，', '楼主你好，', '补充一点，', '我这边也是，', '说句公道话，', '', '', '刚看到这个帖子，'];
const POINTS: Record<Tone, string[]> = {
  positive: ['{model} 的{feature}真的很好用，开起来特别舒服', '{os} 更新之后流畅多了，点赞', '在{station}充电很快，半小时就满了', '{city}的售后态度很好，当天就处理了', '{phone} 和车机连接很稳，体验很棒', '这次{dish}局太开心了，认识了好多车友', '续航比预期的还好，满意', '官方这次的回复很及时，感谢'],
  neutral: ['我是上个月在{city}提的 {model}', '{feature}要在设置里手动打开', '{station}周末人比较多，建议错峰', '{os} 的更新包大概 {n} MB', '有人知道{city}哪里有{station}吗', '{weekday}有空的话可以一起去{place}', '{phone} 需要先升级到最新版本', '我一般开 {n} 公里充一次电'],
  negative: ['{model} 的{feature}经常失灵，很失望', '{os} 更新后车机卡顿，太难用了', '{station}排队两个小时，体验很差', '{city}的售后一直拖着不处理，投诉也没用', '{phone} 连接车机老是断连，烦死了', '交付一拖再拖，没有任何说明', '异响问题修了三次还没好', '客服就会说记录了，根本没人跟进'],
};
const CLOSERS = ['', '', '大家怎么看？', '仅供参考。', '希望官方重视。', '先这样，有问题再补充。', '继续观察。', '哈哈'];
const TAILS = ['', '', '', '', ' [狗头]', ' 👍', '～', '！'];
const POINTS_EN: Record<Tone, string[]> = {
  positive: ['The {feature} on my {model} works great.', 'Charging at the {station} was quick and easy.', 'Really happy with the {phone}, battery is excellent.', 'Service in {city} was friendly and fast.'],
  neutral: ['I picked up my {model} in {city} last month.', 'You need to turn on the {feature} in settings first.', 'The update is about {n} MB.', 'Anyone around {city} this {weekday}?'],
  negative: ['The {feature} keeps failing, really disappointed.', 'After the {os} update the screen lags badly, terrible.', 'Waited two hours at the {station}, awful experience.', 'Support keeps ignoring my complaint, this is unacceptable.'],
};

// The planted incident: one chapter, one hour, a burst of crisis posts (safety terms the
// complaint filer and the crisis matcher know).
const CRISIS_TITLES = ['紧急！{model} 高速上刹车失灵', '{city}有车主的 {model} 在地库起火了？', '求助：{model} 突然失灵，太吓人了'];
const CRISIS_POINTS = ['刚才在{city}高架上{model}刹车失灵，差点追尾，太吓人了', '小区地库一辆 {model} 起火了，消防都来了，还有安全隐患吗', '同一个批次的车，我的也出现刹车失灵的提示，不敢开了', '官方到现在没有任何回应，太失望了，要求给个说法', '听说已经有人受伤了，这是严重的安全事故', '家里人都不让我开了，{model} 到底安不安全'];

/** A thread title for its kind (English for an English opener). */
export function threadTitle(rng: Rng, kind: ThreadKind, city: string, english: boolean, crisis: boolean): string {
  if (crisis) return fill(rng, rng.pick(CRISIS_TITLES), city);
  return fill(rng, rng.pick(english ? TITLES_EN : TITLES[kind]), city).slice(0, 200);
}

/** A thread's lean: service threads complain more, meetups are cheerful. */
export function toneOf(rng: Rng, kind: ThreadKind): Tone {
  const negative = kind === 'service' ? 0.55 : kind === 'meetup' ? 0.05 : 0.2;
  const positive = kind === 'meetup' ? 0.5 : kind === 'service' ? 0.15 : 0.35;
  const x = rng.next();
  return x < negative ? 'negative' : x < negative + positive ? 'positive' : 'neutral';
}

/** A post body: Chinese or English, in a tone, optionally @mentioning someone, optionally a crisis post. */
export function postBody(rng: Rng, opts: { tone: Tone; city: string; english: boolean; mention: string | null; crisis: boolean }): string {
  const mention = opts.mention ? `@${opts.mention} ` : '';
  if (opts.crisis) return `${mention}${fill(rng, rng.pick(CRISIS_POINTS), opts.city)}！${rng.chance(0.5) ? fill(rng, rng.pick(CRISIS_POINTS), opts.city) + '。' : ''}`;
  // A post mostly follows the thread's tone, sometimes not.
  const tone: Tone = rng.chance(0.75) ? opts.tone : rng.pick(['positive', 'neutral', 'negative'] as const);
  if (opts.english) {
    const first = fill(rng, rng.pick(POINTS_EN[tone]), opts.city);
    return `${mention}${first}${rng.chance(0.4) ? ' ' + fill(rng, rng.pick(POINTS_EN.neutral), opts.city) : ''}`;
  }
  let text = `${mention}${rng.pick(OPENERS)}${fill(rng, rng.pick(POINTS[tone]), opts.city)}。`;
  if (rng.chance(0.45)) text += `${fill(rng, rng.pick(POINTS[rng.chance(0.7) ? tone : 'neutral']), opts.city)}。`;
  // Some posts are two paragraphs, as real ones are.
  const closer = rng.pick(CLOSERS);
  if (closer) text += rng.chance(0.3) ? `\n\n${closer}` : closer;
  return text + rng.pick(TAILS);
}
