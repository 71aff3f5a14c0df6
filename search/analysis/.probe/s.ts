import { cutNormalized, addUserWords, segmentForIndex } from '../segment'
for (const x of ['续航很拉胯', '一点也不好', '智商税割韭菜', '华为mate60遥遥领先，绝绝子', '车机死机闪退，发热掉帧，售后不理', '降价了真香', '买了就降价，背刺老用户', '理想汽车的智驾', '小米su7锁电', '这款手机性价比很高', '给大家种草一款口红', '避雷这家店','我是真的破防了', '并不是很好', '他不怎么样','这个价格真香','客服态度很差，退款也不给']) console.log(x, JSON.stringify(cutNormalized(x)))
addUserWords(['小破车', 'Resonance论坛'])
console.log(segmentForIndex('我的小破车在Resonance论坛被吐槽了！！'))
