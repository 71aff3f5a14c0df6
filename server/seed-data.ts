/**
 * Content for the demo community (`npm run seed -- --demo`): a fictional EV/phone brand,
 * 「声浪」/ Resonance Motors. Templates are combined by server/seed.ts with a fixed-seed PRNG.
 *
 * Template slots: {model} {phone} {os} {feature} {station} {place} {dish} {city} {weekday}
 * {n:A-B} (an integer in [A, B]); {@peer} is replaced by an @mention of another member.
 */

export interface ChapterSeed {
  slug: string;
  name: string;
  city: string;
  visibility: 'public' | 'private';
  description: string;
}

export interface CategorySeed {
  slug: string;
  name: string;
  description: string;
}

export interface MemberSeed {
  username: string;
  displayName: string;
  /** Chapter slugs this member joins (the first is the home city, if any). */
  chapters: string[];
  /** Writes in English now and then (expats, returnees, bilingual fans). */
  english?: boolean;
}

export interface StaffSeed {
  username: string;
  displayName: string;
  role: 'moderator' | 'pr';
}

export type TopicKind =
  | 'news'
  | 'praise'
  | 'range'
  | 'caros'
  | 'service'
  | 'delivery'
  | 'question'
  | 'meetup'
  | 'suggestion'
  | 'english'
  | 'owners';

export interface TopicSeed {
  category: string;
  /** Where threads of this kind live: the author's home chapter (sometimes), any public city chapter, the private chapter, or none. */
  place: 'home-or-none' | 'city' | 'private' | 'none';
  /** How many threads of this kind the demo has. */
  count: number;
  english?: boolean;
  titles: string[];
  bodies: string[];
  replies: string[];
}

export const DEMO_PASSWORD = 'resonance-demo';
export const PRIVATE_CHAPTER = 'owners';

export const CHAPTERS: ChapterSeed[] = [
  { slug: 'beijing', name: '北京同城会', city: '北京', visibility: 'public', description: '帝都声浪车主和粉丝的大本营：周末自驾、充电桩地图、提车作业都在这里。' },
  { slug: 'shanghai', name: '上海同城会', city: '上海', visibility: 'public', description: '魔都同城会：滨江夜骑、新车试驾、咖啡局，欢迎新车主报到。' },
  { slug: 'shenzhen', name: '深圳同城会', city: '深圳', visibility: 'public', description: '深圳湾的声浪er：大梅沙路线、超充站实测、数码爱好者聚集地。' },
  { slug: 'chengdu', name: '成都同城会', city: '成都', visibility: 'public', description: '巴适的成都车友圈：川西自驾、火锅局、冬天续航实测。' },
  { slug: 'hangzhou', name: '杭州同城会', city: '杭州', visibility: 'public', description: '西湖边的声浪同好：环湖慢行、千岛湖自驾、手机摄影交流。' },
  { slug: PRIVATE_CHAPTER, name: '车主认证群', city: '全国', visibility: 'private', description: '仅限认证车主：内测招募、车主权益、售后直通车。申请后由版主审核。' },
];

export const CATEGORIES: CategorySeed[] = [
  { slug: 'news', name: '新车资讯', description: '新车发布、OTA 更新、官方公告。' },
  { slug: 'stories', name: '用车分享', description: '提车作业、长途自驾、日常用车心得。' },
  { slug: 'service', name: '售后服务', description: '维修保养、交付问题、服务体验反馈。' },
  { slug: 'events', name: '活动招募', description: '同城聚会、试驾活动、公益出行。' },
  { slug: 'ideas', name: '产品建议', description: '给车机、App 和手机的功能建议。' },
  { slug: 'english', name: 'English Corner', description: 'For international owners and fans: questions and stories in English.' },
];

export const STAFF: StaffSeed[] = [
  { username: 'demo_mod', displayName: '阿木（社区版主）', role: 'moderator' },
  { username: 'demo_pr', displayName: '声浪官方·小声', role: 'pr' },
];

/** ~40 members: pinyin usernames, mostly Chinese display names, a few English ones. */
export const MEMBERS: MemberSeed[] = [
  { username: 'xiaoyu_bj', displayName: '小雨', chapters: ['beijing', PRIVATE_CHAPTER] },
  { username: 'laozhang1988', displayName: '老张爱开车', chapters: ['beijing'] },
  { username: 'wangjie_s7', displayName: '王杰 | S7车主', chapters: ['beijing', PRIVATE_CHAPTER] },
  { username: 'liuyang_bj', displayName: '刘洋', chapters: ['beijing'] },
  { username: 'chenxi', displayName: '晨曦', chapters: ['beijing', 'hangzhou'] },
  { username: 'david_zhao', displayName: 'David Zhao', chapters: ['beijing'], english: true },
  { username: 'haidian_dad', displayName: '海淀奶爸', chapters: ['beijing', PRIVATE_CHAPTER] },
  { username: 'sunmeng', displayName: '孙萌萌', chapters: ['beijing'] },
  { username: 'shanghai_lily', displayName: 'Lily 在上海', chapters: ['shanghai'], english: true },
  { username: 'zhoukai_sh', displayName: '周凯', chapters: ['shanghai', PRIVATE_CHAPTER] },
  { username: 'pudong_runner', displayName: '浦东跑者', chapters: ['shanghai'] },
  { username: 'mike_sh', displayName: 'Mike (上海)', chapters: ['shanghai'], english: true },
  { username: 'xujia', displayName: '徐佳', chapters: ['shanghai', 'hangzhou'] },
  { username: 'yangfan_x9', displayName: '杨帆X9', chapters: ['shanghai', PRIVATE_CHAPTER] },
  { username: 'lujiazui_cat', displayName: '陆家嘴的猫', chapters: ['shanghai'] },
  { username: 'tangtang', displayName: '糖糖', chapters: ['shanghai'] },
  { username: 'kevin_sz', displayName: 'Kevin Liu', chapters: ['shenzhen', PRIVATE_CHAPTER], english: true },
  { username: 'huangwei', displayName: '黄伟', chapters: ['shenzhen'] },
  { username: 'nanshan_geek', displayName: '南山极客', chapters: ['shenzhen'] },
  { username: 'linxiaoxiao', displayName: '林晓晓', chapters: ['shenzhen', PRIVATE_CHAPTER] },
  { username: 'futian_ah_qiang', displayName: '福田阿强', chapters: ['shenzhen'] },
  { username: 'zhengyi_ev', displayName: '郑一', chapters: ['shenzhen'] },
  { username: 'sarah_chen', displayName: 'Sarah Chen', chapters: ['shenzhen', 'shanghai'], english: true },
  { username: 'dianchi_daren', displayName: '电池达人', chapters: ['shenzhen', PRIVATE_CHAPTER] },
  { username: 'chengdu_panda', displayName: '熊猫车主', chapters: ['chengdu', PRIVATE_CHAPTER] },
  { username: 'baxi_ge', displayName: '巴适哥', chapters: ['chengdu'] },
  { username: 'lixue_cd', displayName: '李雪', chapters: ['chengdu'] },
  { username: 'huoguo_wang', displayName: '火锅王', chapters: ['chengdu'] },
  { username: 'chuanxi_ride', displayName: '川西自驾', chapters: ['chengdu', PRIVATE_CHAPTER] },
  { username: 'tom_in_cd', displayName: 'Tom', chapters: ['chengdu'], english: true },
  { username: 'wuqiong', displayName: '吴琼', chapters: ['chengdu'] },
  { username: 'xihu_walker', displayName: '西湖漫步', chapters: ['hangzhou', PRIVATE_CHAPTER] },
  { username: 'qiandaohu', displayName: '千岛湖钓鱼佬', chapters: ['hangzhou'] },
  { username: 'songlin_hz', displayName: '宋林', chapters: ['hangzhou'] },
  { username: 'amy_hz', displayName: 'Amy', chapters: ['hangzhou'], english: true },
  { username: 'gaoming', displayName: '高明', chapters: ['hangzhou'] },
  { username: 'binjiang_coder', displayName: '滨江码农', chapters: ['hangzhou', PRIVATE_CHAPTER] },
  { username: 'yaoyao_ling', displayName: '遥遥', chapters: ['hangzhou', 'shanghai'] },
  { username: 'ma_shifu', displayName: '马师傅', chapters: [PRIVATE_CHAPTER] },
  { username: 'newbie_2024', displayName: '准车主小白', chapters: [PRIVATE_CHAPTER] },
];

/** Members whose private-chapter request is left pending, so the moderator desk has work. */
export const PENDING_PRIVATE = ['ma_shifu', 'newbie_2024'];

export const SLOTS: Record<string, string[]> = {
  model: ['S7', 'X9', 'M3 Air', 'S7 长续航版', 'X9 四驱性能版', 'M3 Air 城市版'],
  phone: ['声浪 Phone 5', '声浪 Phone 5 Pro', '声浪 Pad Air', '声浪手表 W2'],
  os: ['声浪OS 4.2', '声浪OS 4.3 beta', '车机 4.1.8', '声浪OS 4.2.1'],
  feature: ['自动泊车', '哨兵模式', '手机钥匙', '智驾领航', '语音助手「小浪」', '座舱香氛', 'HUD 抬头显示', '车机互联'],
  station: ['声浪超充站', '商场地库的快充桩', '服务区的超充', '小区的慢充桩', '公司楼下的充电桩'],
  place: ['城郊的露营地', '湖边停车场', '市中心的商场地库', '江边绿道'],
  dish: ['火锅', '烧烤', '咖啡', '早茶', '涮羊肉', '小龙虾'],
  weekday: ['周六', '周日', '周五晚上', '下周六'],
};

export const TOPICS: Record<TopicKind, TopicSeed> = {
  news: {
    category: 'news',
    place: 'none',
    count: 5,
    titles: [
      '{os} 正式推送，更新内容汇总',
      '官宣：{model} 新配色「月影灰」下月交付',
      '{phone} 发布会要点整理（含价格）',
      '{model} 换代谍照曝光，这个尾灯你们打几分？',
      '声浪超充站突破 2000 座，年底覆盖所有地级市',
      '冬季电池预加热功能下放到全系车型',
    ],
    bodies: [
      '刚收到推送，{os} 这次更新了 {feature}、能耗统计和蓝牙稳定性，安装包 {n:2-5}.{n:1-9}GB，建议连 Wi-Fi 更新。大家更完说说体验！',
      '官方消息，{model} 将在下个月开始交付新配色，老车主可以预约改色膜优惠。个人觉得这次的配色真的绝绝子。',
      '整理了一下发布会的要点：\n\n- 续航提升约 {n:8-15}%\n- {feature} 全系标配\n- 和 {phone} 的互联做得更深了\n\n价格比预期良心，遥遥领先不是吹的。',
      '今天路上拍到的测试车，伪装很厚，但能看出前脸变化挺大。{model} 这一代卖得好，下一代压力不小。',
      '官方公布了新的补能数据，平均每 {n:20-40} 公里就有一座超充站。去年跑长途还要规划，现在基本随到随充。',
    ],
    replies: [
      '已更新，{feature} 确实顺滑了不少。',
      '更新完车机重启了两次，有人一样吗？',
      '等了三个月终于来了，yyds！',
      '这个价格有点东西，观望党坐不住了。',
      '配色好看，但我还是喜欢原来的星河蓝。',
      '升级之后能耗显示更准了，之前总是虚标。',
      '希望别又是 PPT 功能，上次说的下个月推送等了半年。',
      '超充站多起来是真的，我们小区旁边上周刚建好一座。',
      '{phone} 和车机互联那段演示太丝滑了，钱包要空了。',
      '尾灯我给 8 分，前脸有点拉胯。',
      '更新日志写得很清楚，点赞。',
      '坐等 {city} 的车主实测。',
    ],
  },
  praise: {
    category: 'stories',
    place: 'home-or-none',
    count: 7,
    titles: [
      '提车一个月，{model} 真实用车感受',
      '{model} 跑了 {n:3-9} 千公里，说点大实话',
      '带娃自驾 {n:600-1500} 公里，{feature} 立大功',
      '从油车换到 {model}，回不去了',
      '{city}雨夜开 {model}，这隔音绝了',
      '晒晒我的 {model}，车衣刚贴好',
      '{phone} + 车机互联，通勤幸福感拉满',
    ],
    bodies: [
      '提车 {n:20-45} 天，跑了 {n:1200-3000} 公里。优点：安静、加速线性、{feature} 好用；缺点：后排中间地台有点高。整体非常满意，给老婆也安利成功了。',
      '之前一直开油车，换了 {model} 之后每个月电费不到 {n:150-400} 块。{feature} 比我想象中靠谱，停车小白福音。',
      '这次回老家往返 {n:900-1600} 公里，全程用智驾领航，服务区的超充基本不用排队。孩子在后排看动画片，一路没闹。',
      '周末在{place}拍了一组照片，{model} 的侧面线条真的好看，路人问了好几次是什么车。',
      '手机靠近自动解锁、上车自动接续导航，{phone} 和车机的互联是我买这台车最大的理由之一。',
    ],
    replies: [
      '恭喜提车！颜色选得好。',
      '同款同色，握爪 🤝',
      '后排地台确实高，不过能接受。',
      '电费是真的香，我每个月省了一千多油钱。',
      '{feature} 我用得少，主要是不放心，楼主真敢用啊。',
      '这颜值 yyds，看得我也想换车了。',
      '照片在哪拍的？求机位！',
      '隔音确实好，高速 120 也能小声聊天。',
      '跑长途不焦虑才是真的爽。',
      '我老婆也是一开就爱上了，现在车归她了 [捂脸]',
      '楼主说得很客观，收藏了。',
      '带娃出门空间够吗？考虑要不要上 X9。',
      '绝绝子，这套车衣多少钱？',
    ],
  },
  range: {
    category: 'stories',
    place: 'home-or-none',
    count: 5,
    titles: [
      '零下 {n:3-12} 度，{model} 续航打了几折？',
      '标称续航 {n:550-700}，实际高速只能跑多少',
      '续航焦虑还是有的，说说我的翻车经历',
      '冬天续航掉得厉害，大家都怎么开的？',
      '{model} 续航实测：市区 vs 高速',
    ],
    bodies: [
      '这两天{city}降温，早上出门显示 {n:380-460} 公里，开空调跑了 {n:90-140} 公里掉了快 {n:180-240}。冬天打七折是常态吗？有点慌。',
      '高速 110 定速，满电实际跑了 {n:360-440} 公里，比标称差了不少。不是黑，只是想给准车主一个真实参考。',
      '上周去山里，导航说能到，结果剩 {n:3-9}% 才找到充电桩，还是个坏的。续航焦虑这个东西，真的只有经历过才懂，差点翻车。',
      '市区通勤续航挺准的，基本和表显一致；一上高速就打折，而且冬天开暖风更明显。大家有啥省电技巧吗？',
    ],
    replies: [
      '冬天打七折挺正常的，提前预加热电池会好点。',
      '建议开座椅加热，比空调省电多了。',
      '高速 120 以上电耗飙升，这是物理规律，没办法。',
      '我北方的，冬天基本只能跑标称的 60%，认了。',
      '续航虚标这个锅不只声浪一家背，但宣传确实该实在点。',
      '试试设置里的「冬季模式」，我开了之后好了一些。',
      '出远门前一定要看充电桩的实时状态，坏桩太坑了。',
      '楼主这个数据很有参考价值，比宣传页靠谱。',
      '只能说电车目前还是适合有家充的人。',
      '我的 {model} 冬天市区也就掉 15% 左右，可能跟驾驶习惯有关。',
      '同感，去年春节回家差点翻车，之后每次都留 20% 余量。',
    ],
  },
  caros: {
    category: 'ideas',
    place: 'home-or-none',
    count: 5,
    titles: [
      '{os} 之后车机卡顿，有人遇到吗',
      '语音助手「小浪」今天又听不懂人话了',
      '车机黑屏重启，高速上吓一跳',
      '蓝牙老是断连，{phone} 也不行',
      '车机导航绕路，谁能解释一下',
    ],
    bodies: [
      '升级 {os} 之后，车机从桌面切到导航要转好几秒，偶尔还会卡住不动。之前一直很流畅的，这次更新有点拉胯。',
      '我说「打开空调 24 度」，它给我放了一首歌。「小浪」在安静环境下还行，车里一有人说话就乱识别。',
      '今天高速上中控突然黑屏，大概 {n:20-60} 秒后自己重启了，期间仪表还在，但导航没了。有没有同样情况的？已经报修了。',
      '手机连车机蓝牙，每次开出地库就断一次，要手动重连。换了 {phone} 也一样，应该不是手机的问题。',
    ],
    replies: [
      '同款问题，更新后卡顿明显，等热修复吧。',
      '试试恢复出厂设置，我弄完好了很多。',
      '黑屏这个要重视，建议直接找售后拿日志。',
      '小浪在方言识别上还是差点意思。',
      '我这边蓝牙正常，可能跟手机系统版本有关？',
      '车机这块被对手吊打，希望官方重视一下。',
      '地库出来断连 +1，每天都要手动重连，烦死了。',
      '上次 OTA 之后我的也卡，过了几天自己好了，可能在后台索引。',
      '导航绕路我也遇到过，感觉是路况数据没更新。',
      '官方能不能出个 beta 通道，让愿意测试的人先升级？',
      '这个车机翻车翻得有点频繁了。',
    ],
  },
  service: {
    category: 'service',
    place: 'home-or-none',
    count: 5,
    titles: [
      '{city}服务中心保养体验，说说感受',
      '售后等配件等了 {n:12-30} 天，还没消息',
      '钣喷修复后色差明显，怎么维权？',
      '上门取送车服务太香了',
      '异响问题三次进店没解决',
    ],
    bodies: [
      '预约了 {city} 的服务中心做首保，前台态度很好，全程 {n:1-3} 个小时，还送了洗车。唯一的问题是休息区太小，周末人太多。',
      '前保险杠被剐了，定损很快，但是配件要从总部调，已经等了快 {n:12-30} 天。打客服电话只说在催，能不能给个准信？',
      '上个月小剐蹭去钣喷，取车时光线不好没注意，第二天白天一看色差很明显。售后说是正常范围，我接受不了。',
      '第一次用上门取送车，早上放楼下，下午就送回来了，还帮我把轮胎气压调好了。这个服务必须夸。',
      '后排右侧过减速带有咯吱声，进店三次，每次都说检查了没问题，开出来还是响。售后是不是该换个思路？',
    ],
    replies: [
      '我们这边服务中心也不错，技师很专业。',
      '等配件真的是通病，我当时也等了三周。',
      '色差这个一定要当场验车，不然很难说清。',
      '建议发邮件给官方客服，留书面记录。',
      '上门取送车我也用过，确实方便，yyds。',
      '异响可以录个视频给技师，比口述好使。',
      '售后体验很看门店，{city}这家口碑一直还行。',
      '同样遇到过，后来找了区域经理才解决。',
      '楼主别急，可以在车主群里 @ 一下版主帮忙反映。',
      '售后这块拉胯的话，再好的车也留不住人。',
    ],
  },
  delivery: {
    category: 'service',
    place: 'home-or-none',
    count: 4,
    titles: [
      '交付延期第 {n:2-5} 次了，心态崩了',
      '提车 PDI 发现漆面划痕，交付中心说可以补漆',
      '定金交了 {n:40-90} 天，还在排产',
      '交付仪式很用心，但交车时间拖了一下午',
    ],
    bodies: [
      '原定上周提车，昨天又通知延期，理由是物流。已经是第 {n:2-5} 次了，请好的假又得改，真的很无语。',
      '今天去提 {model}，PDI 检查时发现左后门有一道细划痕。交付中心说可以现场补漆，但我更想换车，大家觉得合理吗？',
      '{model} 定金交了两个多月，App 上一直显示排产中，问销售也只说快了。有同批次的朋友吗？',
      '交付中心准备了花和横幅，家人都挺开心。不过约的下午两点，实际五点多才拿到钥匙，中间一直在等手续。',
    ],
    replies: [
      '延期太折磨人了，抱抱楼主。',
      '划痕坚决不收，新车凭什么要补漆。',
      '我们同批次，App 也一直显示排产中。',
      '交付慢是真的，但仪式感这块确实做得好。',
      '建议让销售写书面承诺的交付日期。',
      '我当时也延期了一次，最后送了一年免费充电。',
      '新车有问题可以拒收，别将就。',
      '楼主哪个交付中心？我们这边挺快的。',
      '心态放平，车到了就好了（虽然我也等疯了）',
    ],
  },
  question: {
    category: 'stories',
    place: 'home-or-none',
    count: 6,
    titles: [
      '纠结 S7 还是 X9，求有经验的车主给建议',
      '家里没有固定车位，适合买电车吗？',
      '{feature} 真的好用吗，值得加钱选装？',
      '{phone} 能当 {model} 的车钥匙吗？',
      '第一次跑长途，充电规划有什么技巧',
      '{city}哪里有靠谱的贴膜店推荐？',
    ],
    bodies: [
      '家里两个孩子，偶尔带老人，预算 {n:25-35} 万。S7 开起来更舒服，X9 空间大，纠结一个月了，求老车主说说。',
      '小区老旧，装不了私桩，公司附近有 {station}。这种情况买电车会不会很折腾？',
      '选装包要加 {n:8000-20000}，主要是 {feature}。身边有人说离不开，也有人说用不上，想听听真实反馈。',
      '下个月提车，想问下手机钥匙是不是只支持 {phone}？别的牌子的手机能用吗？',
      '五一准备开 {model} 从{city}出发跑 {n:800-1300} 公里，第一次长途，想请教一下充电规划和注意事项。',
    ],
    replies: [
      '两个孩子闭眼选 X9，空间真的重要。',
      '没有家充也能用，就是要多花点时间规划。',
      '{feature} 我天天用，离不开了。',
      '手机钥匙别的牌子也行，但 {phone} 体验最好，靠近就解锁。',
      '长途提前在导航里设置补能规划，会自动推荐超充站。',
      '留 20% 电量余量，别跟导航赌。',
      '贴膜推荐去官方合作店，质保有保障。',
      '我也纠结过，最后选了 S7，开起来确实更舒服。',
      '可以先去试驾，对比一下后排空间。',
      '公司有充电桩的话完全没问题，我就是这样。',
      '谢谢大家，信息量很大，已收藏！',
      '蹲一个答案，同样纠结中。',
    ],
  },
  meetup: {
    category: 'events',
    place: 'city',
    count: 6,
    titles: [
      '【活动招募】{weekday}{place}车友聚会，{dish}走起',
      '{city}同城会第 {n:3-12} 次线下聚会报名',
      '{weekday}早上夜骑/晨骑，有人一起吗',
      '亲子自驾露营，限 {n:8-15} 车',
      '公益活动：带流浪狗去打疫苗，需要车友支援',
      '{city}试驾日开放报名，{model} 和 {phone} 都能体验',
    ],
    bodies: [
      '{weekday}下午两点，{place}停车场集合，先拍车再去吃{dish}，费用 AA。想来的回帖报名：昵称 + 车型 + 人数。{@peer} 上次说要来，别鸽！',
      '同城会又来啦！这次地点在{place}，有车友带无人机航拍，还有官方准备的小礼品。限 {n:15-30} 车，先到先得。',
      '计划周末早上六点出发，绕{place}一圈，大概 {n:40-80} 公里，路上不超速，回来一起吃早饭。',
      '露营地已经联系好了，有充电桩，可以开车辆对外放电煮火锅。带好帐篷和娃，{@peer} 你家的天幕记得带上。',
    ],
    replies: [
      '报名！{model}，2 人。',
      '+1，带老婆孩子一起，3 人。',
      '这周加班，下次一定！',
      '上次聚会太开心了，这次必须来。',
      '可以带狗吗？',
      '报名，顺便带个无人机。',
      '地点离我家 5 分钟，必到。',
      '有拼车的吗？我车送保养了。',
      '组织者辛苦了，给你点赞！',
      '{dish}走起，我来订位。',
      '能不能改到下午？早上起不来 [捂脸]',
      '已报名，到时候群里联系。',
    ],
  },
  suggestion: {
    category: 'ideas',
    place: 'none',
    count: 5,
    titles: [
      '建议：车机增加「宠物模式」',
      '希望 App 能显示每次充电的详细电费',
      '{feature} 能不能加一个更保守的档位',
      '手机和车机的通知同步，建议做个白名单',
      '建议官方开放车机第三方应用商店',
    ],
    bodies: [
      '夏天偶尔要把狗留在车里几分钟，希望有个宠物模式：保持空调，屏幕显示「车内宠物安全，温度 24 度」，防止路人砸窗。',
      '现在 App 只显示充了多少度，希望能按时段显示电费，峰谷电价差很大，方便算账。',
      '{feature} 目前有点激进，我家老人坐车容易晕，希望加一个舒适档。',
      '{phone} 的微信通知全部推到车机上太吵了，希望能选择哪些 App 同步。',
    ],
    replies: [
      '宠物模式 +1，强烈需要！',
      '电费明细这个太有用了，支持。',
      '第三方应用还是谨慎点吧，安全第一。',
      '老人晕车这个我家也是，舒适档 +1。',
      '通知白名单很合理，希望下个版本就有。',
      '顶上去让官方看到。',
      '建议很具体，点赞。',
      '产品经理快来看看这个帖子。',
      '我之前在问卷里也提过，希望这次能落地。',
      '其实设置里能关部分通知，不过确实不够细。',
    ],
  },
  english: {
    category: 'english',
    place: 'none',
    count: 6,
    english: true,
    titles: [
      'Picked up my {model} in {city} today!',
      'Is the English voice assistant any good?',
      'Winter range report from a foreigner in {city}',
      'How do I pay at public chargers without a Chinese ID?',
      'Road trip to Sichuan in a {model}: tips?',
      '{phone} as a car key: works great',
    ],
    bodies: [
      'Finally got the keys after a {n:6-10} week wait. The delivery team spoke some English which helped a lot. First impression: super quiet and the screen is gorgeous.',
      'I switched the car to English but the voice assistant still struggles with my accent. Anyone found settings that help?',
      'It dropped to about {n:60-75}% of rated range this week with the heater on. Still fine for my commute, but plan ahead for road trips.',
      'I am on a work visa and some charging apps want a Chinese ID. The Resonance app worked with my passport though. Any other options?',
      'Planning to drive from {city} to Jiuzhaigou next month. How is the charging network out west? {@peer} you did this route last year, right?',
    ],
    replies: [
      'Congrats! Which color did you choose?',
      'Same experience here, the voice assistant is much better in Mandarin.',
      'Pre-heating the battery before you leave helps a lot in winter.',
      'The official app works with a passport, I use it every week.',
      'Charging along the G317 is okay now, just avoid the holidays.',
      'Welcome to the club!',
      'Thanks, super helpful.',
      'I had the same problem, the support hotline has an English option (press 9).',
      'Totally agree, the ride comfort is underrated.',
      'Range loss in winter is normal for any EV, honestly.',
      'Would love a meetup for English speakers in {city}.',
      'The phone key is the best feature, I never carry the card.',
    ],
  },
  owners: {
    category: 'news',
    place: 'private',
    count: 5,
    titles: [
      '【车主专属】{os} 内测招募，限 {n:50-200} 人',
      '车主权益更新：终身免费流量 + 年度保养券',
      '售后直通车：本月问题汇总和处理进度',
      '车主认证群的规矩，新人必看',
      '内部消息：{model} 老车主增换购补贴',
    ],
    bodies: [
      '本期内测主要验证 {feature} 和新的能耗算法，报名要求：行驶里程 > 3000 公里，愿意每周反馈一次。回帖报名即可。',
      '整理了最新的车主权益，流量包和保养券都已经在 App 里了，没收到的回帖我统一报给官方。',
      '本月大家反映最多的是车机卡顿和交付延期，已经汇总给售后负责人，下周会有专人电话回访。{@peer} 你那个异响的单子我也报上去了。',
      '认证群只讨论用车和权益，不晒订单截图、不转发内测包，违规直接移出。有问题私信版主。',
    ],
    replies: [
      '报名内测，{model}，里程 1.2 万。',
      '权益收到了，感谢！',
      '车机卡顿终于有人管了，期待回访。',
      '规矩明白，支持严格管理。',
      '补贴力度多少？蹲一个细节。',
      '报名 +1，每周反馈没问题。',
      '这个群的信息太有用了，认证值了。',
      '我的保养券还没到账，麻烦版主看一下。',
      '回访电话已经接到了，效率点赞。',
    ],
  },
};

/** {place} in a known city comes from its own landmarks. */
export const CITY_PLACES: Record<string, string[]> = {
  北京: ['奥森北门', '798 园区', '怀柔雁栖湖', '通州运河公园'],
  上海: ['滨江绿地', '前滩太古里', '世纪公园', '淀山湖'],
  深圳: ['深圳湾公园', '大梅沙', '欢乐港湾', '杨梅坑'],
  成都: ['青城山脚下', '太古里', '兴隆湖', '都江堰'],
  杭州: ['西溪湿地', '良渚文化村', '湘湖', '千岛湖'],
};

/** Replies that fit anywhere (Chinese). */
export const GENERIC_REPLIES: string[] = [
  '同意楼上。',
  '学到了，感谢分享！',
  '马克一下，回头细看。',
  '这个必须顶一下。',
  '楼主说得在理。',
  '哈哈哈，太真实了。',
  '有同感，我也是这样。',
  '插个眼，等后续。',
  '遥遥领先，不接受反驳 [狗头]',
  '说实话这点确实有点拉胯。',
  '声浪这两年进步挺大的，继续加油。',
  '蹲一个官方回复。',
  '我觉得还好吧，看个人需求。',
  '这个问题我之前也问过，没人理 [捂脸]',
  '感谢楼主，信息量很大。',
  '好家伙，直接破防了。',
  '顶！希望越来越好。',
  '绝绝子，爱了爱了。',
  '这波操作我给满分。',
  '{city}的车友集合！',
];

/** Replies that fit anywhere (English, from bilingual members). */
export const GENERIC_REPLIES_EN: string[] = [
  'Totally agree with this.',
  'Good to know, thanks for sharing!',
  'Same here, had exactly the same issue last month.',
  'Interesting. Is this only on the {model}?',
  'Any update on this? Following.',
  'Honestly the software still needs work, but the hardware is great.',
  'This is why I love this community.',
  'Could someone translate the key points? My Chinese is not that good yet.',
];

/** Short tails appended to some posts to vary tone. */
export const TAILS: string[] = ['', '', '', '', ' 👍', ' [狗头]', '～', ' 哈哈', '！', ' yyds', ' 🚗⚡'];

/** How a mention is worked into a reply. */
export const MENTION_FORMS: string[] = ['@{user} 你怎么看？', '@{user} 快来看这个', 'cc @{user}', '@{user} 上次不是也遇到了吗', '@{user} 一起呀'];
export const MENTION_FORMS_EN: string[] = ['@{user} what do you think?', 'cc @{user}', '@{user} you should see this'];

/** Official answers (the pr account), used in complaint threads. */
export const PR_REPLIES: string[] = [
  '您好，我是声浪官方客服小声。非常抱歉给您带来不便，已记录您的问题（工单号 RS{n:100000-999999}），{city}区域负责人会在 24 小时内联系您。',
  '感谢反馈！这个问题我们已经同步给产品和售后团队，后续处理进度会在这个帖子里更新，也欢迎私信我补充车架号。',
  '您好，{os} 的卡顿问题已经定位，热修复版本预计下周推送，给大家添麻烦了。',
];

/** The moderator's notes in threads. */
export const MOD_REPLIES: string[] = [
  '版主提醒：讨论问题可以，请勿人身攻击，谢谢大家配合。',
  '已置顶到本周售后汇总，官方同学会跟进。',
  '楼上疑似广告，已转交处理，大家不要添加私人联系方式，发现类似内容请直接举报。',
];

/** A few posts that deserve a flag (ads, insults). */
export const FLAGGABLE: Array<{ body: string; reasons: string[] }> = [
  { body: '低价出售充电桩安装名额，私聊 VX：rs_chong888，手慢无！', reasons: ['广告引流', 'spam'] },
  { body: '买这车的都是智商税，脑子进水了吧。', reasons: ['人身攻击', '恶意引战'] },
  { body: 'Cheap replacement keys and unlock codes, DM me on telegram.', reasons: ['spam', '广告'] },
  { body: '内测包在这里，网盘链接自取，别告诉官方 😏', reasons: ['违规传播内测包'] },
];
