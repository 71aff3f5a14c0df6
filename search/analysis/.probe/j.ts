import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict'
let t = performance.now()
const j = Jieba.withDict(dict)
console.log('load ms', performance.now() - t)
const s = ['遥遥领先', '续航很拉胯', '不是不好', '太差了', '没想到这么好', '不太满意', '一点也不好', '这个iPhone15 Pro真香，yyds！', '华为mate60遥遥领先，绝绝子', '车机死机闪退，发热掉帧，售后不理', '@小米客服 订单号1234567890 [怒][哈哈]😡👍', 'not good at all, I never buy again', '不好用','不错','没有想到','很不满意','非常满意', '并不好', '不怎么样','智商税割韭菜']
for (const x of s) console.log(x, JSON.stringify(j.cut(x, true)))
j.loadDict(Buffer.from('拉胯 100000 a\n遥遥领先 100000 a\n'))
for (const x of s.slice(0,2)) console.log(x, JSON.stringify(j.cut(x, true)))
const text = '这款手机续航太差了，用了两天就发热，售后态度也很差，真的后悔买了。希望官方能够给个说法，不然就去投诉。'
t = performance.now(); for (let i=0;i<20000;i++) j.cut(text, true); console.log('cut/s', 20000/((performance.now()-t)/1000))
t = performance.now(); for (let i=0;i<20000;i++) j.cut(text, false); console.log('cut nohmm/s', 20000/((performance.now()-t)/1000))
