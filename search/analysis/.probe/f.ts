import { sentimentTokens, zhFeatures } from '../features-zh'
import { normalizeText } from '../normalize'
for (const x of ['不是不好', '一点也不好', '没想到这么好！', '不太满意。。。', '不贵但是难吃', '@小米 http://x.cn 太差了[怒]😡❤️👍🏻', '这是五星级？']) {
  const t = sentimentTokens(normalizeText(x)); console.log(x, t.map(t=>t.kind[0]+':'+t.text).join(' '))
  console.log('   ', zhFeatures(t).map(f=>`${f.key}=${f.value}${f.negated?'('+f.term+')':''}`).join(' '))
}
