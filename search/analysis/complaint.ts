/**
 * Complaint category by keyword rules. Only applied when the sentiment is negative or the text
 * is explicitly a complaint ("投诉", "refund"...), so "质量很好" is not a quality complaint.
 * The matched terms are returned as the reasons.
 */

/** The complaint categories moderators triage by. */
export type ComplaintCategory = 'quality' | 'service' | 'delivery' | 'price' | 'software' | 'safety' | 'privacy';

/** A category with the terms that matched it. */
export interface Complaint { category: ComplaintCategory; reasons: string[] }

// Listed most severe first: on a tie in matched terms the earlier category wins,
// so "刹车失灵，客服不理" is filed as safety, not service.
const RULES: { category: ComplaintCategory; terms: string[] }[] = [
  { category: 'safety', terms: ['安全隐患', '起火', '着火', '自燃', '爆炸', '刹车失灵', '刹车', '失灵', '漏电', '触电', '烫伤', '受伤', '中毒',
    '冒烟', '召回', '事故', '爆胎', 'fire', 'explode', 'exploded', 'brake', 'brakes', 'burned', 'burn', 'electric shock', 'smoke', 'injury', 'injured', 'dangerous', 'recall'] },
  { category: 'privacy', terms: ['隐私', '泄露', '个人信息', '偷听', '监听', '窃听', '权限', '骚扰电话', '手机号被', '被追踪', '追踪', '偷拍',
    'privacy', 'leaked', 'personal data', 'tracking', 'spying', 'permissions'] },
  { category: 'software', terms: ['系统', '软件', 'app', '应用', '闪退', '死机', '卡顿', '掉帧', '黑屏', '蓝屏', '花屏', 'bug', '升级', '更新', 'ota',
    '车机', '卡死', '重启', '无响应', '弹窗', '广告', '固件', '登录不', '打不开', 'crash', 'crashes', 'crashing', 'update', 'firmware', 'buggy',
    'freezes', 'lag', 'software', 'login'] },
  { category: 'quality', terms: ['质量', '做工', '品控', '瑕疵', '坏了', '损坏', '破损', '裂了', '开裂', '划痕', '掉漆', '异响', '漏水', '漏油', '假货',
    '翻新', '缩水', '虚标', '偷工减料', '次品', '返修', '故障', '毛病', '不耐用', '起球', '褪色', '开胶', '发热', '发烫', '续航', '掉电', '耗电',
    'defective', 'broke', 'broken', 'cracked', 'quality', 'faulty', 'overheats', 'battery'] },
  { category: 'delivery', terms: ['物流', '快递', '发货', '到货', '配送', '送货', '送达', '迟迟', '丢件', '运输', '签收', '骑手', '送餐', '外卖', '延迟',
    'shipping', 'delivery', 'shipped', 'courier', 'package', 'arrived late', 'never arrived'] },
  { category: 'service', terms: ['客服', '售后', '态度', '服务', '不理', '不回复', '推诿', '踢皮球', '敷衍', '商家', '店家', '门店', '维修', '保修', '退款',
    '退货', '换货', '拒绝', 'customer service', 'support', 'rude', 'ignored', 'no response', 'staff', 'refund', 'seller'] },
  { category: 'price', terms: ['价格', '太贵', '贵了', '降价', '涨价', '背刺', '价保', '保价', '智商税', '割韭菜', '溢价', '收费', '扣费', '乱收费', '杀熟',
    '差价', 'overpriced', 'expensive', 'price', 'pricey', 'charged'] },
];

// Words that make a text a complaint whatever the sentiment model says.
const COMPLAINT_CUES = ['投诉', '举报', '维权', '12315', '曝光', '差评', '索赔', '给个说法', '要个说法', '讨个说法', 'complaint', 'complain', 'scam'];

// One alternation per category, longest terms first, so "刹车失灵" is found as one term rather
// than also as "刹车" and "失灵"; Latin terms match whole words only ("app" is not in "happy").
function compile(terms: string[]): RegExp {
  const alternatives = [...terms]
    .sort((a, b) => b.length - a.length)
    .map((t) => {
      const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return /^[a-z0-9 ]+$/.test(t) ? `\\b${escaped}\\b` : escaped;
    });
  return new RegExp(alternatives.join('|'), 'g');
}
const COMPILED = RULES.map((r) => ({ category: r.category, re: compile(r.terms) }));
const CUE_RE = new RegExp(COMPLAINT_CUES.join('|'));

/** True when the text explicitly complains (投诉, 维权, refund demand...). */
export function isExplicitComplaint(normalized: string): boolean {
  return CUE_RE.test(normalized);
}

/** The best-matching complaint category with its matched terms, or undefined when no rule matches. */
export function classifyComplaint(normalized: string): Complaint | undefined {
  let best: Complaint | undefined;
  for (const rule of COMPILED) {
    const found = normalized.match(rule.re);
    if (found === null) continue;
    const reasons = [...new Set(found)];
    if (!best || reasons.length > best.reasons.length) best = { category: rule.category, reasons };
  }
  return best;
}
