/**
 * Hand-set polarity of Chinese sentiment words. Two uses:
 *  - the model gets two dense features (lexicon positive/negative mass after negation and
 *    degree), which carry short and compositional texts ("没想到这么好") that sparse n-grams
 *    see too little of;
 *  - community slang that postdates the 2010-2018 corpora ("拉胯", "遥遥领先") has no
 *    reliable learned weight, so the scorer falls back to these values, and says so.
 */

// Values in [-1,1]; reviewed by hand, not fitted. Ambiguous slang (拔草, 蚌埠住了, 降价) is left out.
// Entries fused by jieba with a degree word ("很好", "太差") are listed as jieba cuts them.
const ZH_POLARITY: Record<string, number> = {
  // positive: common
  好: 0.5, 很好: 0.7, 太好了: 0.8, 超好: 0.8, 棒: 0.8, 太棒了: 0.9, 赞: 0.7, 满意: 0.7, 喜欢: 0.6, 推荐: 0.5,
  漂亮: 0.6, 好看: 0.6, 好吃: 0.7, 好用: 0.7, 舒服: 0.6, 舒适: 0.6, 方便: 0.5, 干净: 0.5, 实惠: 0.6, 划算: 0.6,
  便宜: 0.3, 及时: 0.4, 热情: 0.6, 周到: 0.6, 耐心: 0.5, 完美: 0.9, 优秀: 0.8, 出色: 0.8, 精致: 0.6, 惊喜: 0.7,
  开心: 0.7, 高兴: 0.7, 快乐: 0.7, 幸福: 0.7, 感动: 0.6, 感谢: 0.5, 谢谢: 0.4, 值得: 0.6, 物美价廉: 0.9, 超值: 0.8,
  清晰: 0.5, 稳定: 0.5, 流畅: 0.6, 丝滑: 0.7, 给力: 0.8, 厉害: 0.6, 可爱: 0.6, 好评: 0.7, 满分: 0.8, 放心: 0.5,
  靠谱: 0.7, 良心: 0.6, 省心: 0.6, 惊艳: 0.8, 点赞: 0.7, 愉快: 0.6, 贴心: 0.7, 合适: 0.4, 正品: 0.4,
  // positive: community slang
  yyds: 0.9, 绝绝子: 0.8, 遥遥领先: 0.7, 真香: 0.7, 种草: 0.6, 吹爆: 0.8, 安利: 0.5, 神机: 0.8, 闭眼入: 0.8,
  物超所值: 0.9, 五星好评: 0.9, 稳了: 0.5, 绝了: 0.6, 无敌了: 0.6, 爷青回: 0.5, 战未来: 0.4,
  // negative: common ("错" is here so the split "不+错" reads as a negated negative)
  错: -0.5, 差: -0.7, 太差: -0.9, 很差: -0.8, 极差: -0.9, 最差: -0.9, 坏: -0.6, 烂: -0.8, 糟糕: -0.8, 失望: -0.8,
  后悔: -0.7, 讨厌: -0.7, 恶心: -0.8, 难吃: -0.8, 难看: -0.6, 难用: -0.8, 贵: -0.4, 慢: -0.5, 脏: -0.7, 吵: -0.5,
  臭: -0.6, 假: -0.6, 骗: -0.8, 骗子: -0.9, 坑: -0.7, 垃圾: -0.9, 失败: -0.6, 生气: -0.7, 愤怒: -0.8, 难过: -0.6,
  伤心: -0.6, 郁闷: -0.6, 烦: -0.6, 无聊: -0.5, 麻烦: -0.5, 故障: -0.6, 毛病: -0.5, 差劲: -0.8, 恶劣: -0.8,
  敷衍: -0.7, 忽悠: -0.7, 冷漠: -0.6, 粗糙: -0.6, 简陋: -0.5, 异味: -0.6, 崩溃: -0.7, 一般: -0.3, 凑合: -0.3,
  可惜: -0.4, 遗憾: -0.5, 痛苦: -0.7, 糟心: -0.7, 闹心: -0.6, 辣鸡: -0.9, 退货: -0.4, 召回: -0.4, 投诉: -0.6,
  // negative: community slang and product failures
  拉胯: -0.8, 翻车: -0.7, 智商税: -0.8, 破防: -0.5, 破大防: -0.6, 踩雷: -0.8, 避雷: -0.7, 踩坑: -0.7, 天坑: -0.8,
  大坑: -0.7, 坑爹: -0.8, 坑人: -0.8, 坑钱: -0.8, 割韭菜: -0.8, 吃相难看: -0.8, 背刺: -0.7, 劝退: -0.6, 离谱: -0.6,
  无语: -0.6, 无语子: -0.6, 一言难尽: -0.6, 心态崩了: -0.7, 气死: -0.8, 裂开: -0.5, 寄了: -0.6, 凉凉: -0.5,
  下头: -0.6, 死机: -0.7, 闪退: -0.7, 发热: -0.4, 发烫: -0.5, 掉帧: -0.6, 卡顿: -0.6, 黑屏: -0.6, 蓝屏: -0.6,
  花屏: -0.6, 断连: -0.5, 掉电: -0.5, 耗电: -0.4, 异响: -0.6, 漏油: -0.6, 自燃: -0.8, 刹车失灵: -0.9, 缩水: -0.6,
  虚标: -0.7, 假货: -0.8, 山寨: -0.5, 偷工减料: -0.8, 挤牙膏: -0.5, 杀熟: -0.8, 大数据杀熟: -0.8, 乱扣费: -0.8,
  流氓软件: -0.8, 隐私泄露: -0.8, 泄露隐私: -0.8, 差评: -0.7, 维权: -0.5, 遥遥落后: -0.7, 智障: -0.8, 冤种: -0.6,
  大冤种: -0.6, 摆烂: -0.6, emo: -0.5, 吐槽: -0.4,
};

// A Map, not the object: lookups with strings fresh from jieba would intern every key first.
const POLARITY = new Map(Object.entries(ZH_POLARITY));

/** Hand-set polarity of a (lowercased) word in [-1,1], or undefined when the lexicon has no opinion. */
export function zhLexiconPolarity(word: string): number | undefined {
  return POLARITY.get(word);
}

/** Every (word, polarity) pair. */
export function zhLexiconEntries(): IterableIterator<[string, number]> {
  return POLARITY.entries();
}
