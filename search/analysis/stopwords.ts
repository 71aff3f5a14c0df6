/** Stopwords for keyword extraction: function words that are frequent everywhere and say nothing about a post. */

const ZH = `的 了 是 在 我 你 他 她 它 们 我们 你们 他们 她们 这 那 这个 那个 这些 那些 这样 那样 这么 那么 就 也 都 还 又 和 与 及
跟 同 或 或者 而 而且 并 并且 但 但是 可是 不过 然而 所以 因为 如果 虽然 即使 只是 就是 还是 还有 只有 只要 什么 怎么 怎样 为什么
哪 哪里 哪个 谁 吗 呢 吧 啊 呀 哦 哈 嗯 哎 呃 啦 嘛 么 着 过 把 被 让 给 对 向 从 到 于 以 为 之 其 有 没 没有 不 很 太 非常 特别
比较 最 更 再 又 才 刚 刚刚 已经 一直 一下 一些 一个 一种 一样 一点 有点 有些 自己 大家 人家 别人 东西 时候 现在 今天 昨天 明天
然后 之后 以后 之前 以前 的话 可以 可能 应该 需要 能 会 要 想 觉得 感觉 知道 看 说 做 用 去 来 上 下 里 中 个 些 次 种 只 才能
真的 真是 确实 其实 反正 总之 而已 等等 等 啦 诶 喔 哇 呵呵 哈哈 嘻嘻 啊啊 这种 那种 这边 那边 这里 那里 本来 一定 肯定 比如`;

const EN = `a an the and or but if then else so than too very can could would should will shall may might must do does did done
doing have has had having be is am are was were been being i me my mine we us our ours you your yours he him his she her hers
it its they them their theirs this that these those there here what which who whom whose when where why how all any both each
few more most other some such no nor not only own same just also of at by for with about against between into through during
before after above below to from up down in out on off over under again further once as until while because get got gets
really much many lot lots thing things one ones im ive dont doesnt didnt isnt cant wont its it's i'm i've don't doesn't didn't
isn't can't won't let lets via per etc yeah yes ok okay`;

const STOPWORDS = new Set([...ZH.split(/\s+/), ...EN.split(/\s+/)].filter(Boolean));

/** True when a (lowercased) token is a stopword. */
export function isStopword(token: string): boolean {
  return STOPWORDS.has(token);
}
