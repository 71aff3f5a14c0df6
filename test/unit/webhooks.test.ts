/** The pure parts of outbound webhooks: signatures, backoff, URL safety, escaping, scrubbing. */
import { expect } from 'chai';
import { dingtalkSign, dingtalkSignedUrl, isPrivateAddress, linkFor, payloadFor, signatureHeader, webhookUrlProblem, type WebhookNotice } from '../../server/services/webhooks';
import { retryDelay, scrub } from '../../server/services/webhookDelivery';

const notice: WebhookNotice = {
  alertId: 7,
  kind: 'watchword',
  severity: 8,
  title: '关键词预警：鼓包',
  summary: '<!channel> & [点我](http://evil.example) <font color="warning">x</font>',
  path: '/desk#alert-7',
  chapterId: null,
  slaDueAt: '2026-12-01T12:00:00.000Z',
};

describe('webhooks (pure)', () => {
  it('signs DingTalk robots as DingTalk documents it (known vector)', () => {
    // base64(HMAC-SHA256("secret", "1700000000000\nsecret")), urlencoded: the same value other clients compute.
    expect(dingtalkSign('secret', 1700000000000)).to.equal('OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D');
    expect(dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'secret', 1700000000000)).to.equal(
      'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D',
    );
  });

  it('signs the timestamp and the raw body with HMAC-SHA256', () => {
    // openssl: printf '1700000000.{}' | openssl dgst -sha256 -hmac k
    expect(signatureHeader('k', '1700000000', '{}')).to.equal('sha256=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146');
    expect(signatureHeader('k', '1', 'a')).to.not.equal(signatureHeader('k', '2', 'a'));
    expect(signatureHeader('k', '1', 'a')).to.match(/^sha256=[0-9a-f]{64}$/);
  });

  it('backs off exponentially with jitter, never shorter than the wait before, up to the cap', () => {
    for (const r of [0, 0.5, 0.999]) {
      const lo = () => 0;
      const hi = () => 0.999;
      for (let attempt = 1; attempt < 10; attempt++) {
        expect(retryDelay(attempt + 1, 100, 1e9, lo)).to.be.at.least(retryDelay(attempt, 100, 1e9, hi));
        expect(retryDelay(attempt, 100, 1e9, () => r)).to.be.within(50 * 2 ** (attempt - 1), 100 * 2 ** (attempt - 1));
      }
      expect(retryDelay(40, 100, 5_000, () => r)).to.be.within(2_500, 5_000);
    }
  });

  it('takes http(s) URLs without credentials, and private hosts only when allowed', () => {
    expect(webhookUrlProblem('https://oapi.dingtalk.com/robot/send?access_token=x', false)).to.equal(null);
    expect(webhookUrlProblem('ftp://example.com/', true)).to.match(/http/);
    expect(webhookUrlProblem('javascript:alert(1)', true)).to.match(/http/);
    expect(webhookUrlProblem('https://u:p@example.com/', true)).to.match(/credentials/);
    expect(webhookUrlProblem('https://u@example.com/', true)).to.match(/credentials/);
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://api.localhost/', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/', 'http://[::1]/', 'http://[fd00::1]/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://0x7f.1/', 'http://192.168.1.1/', 'http://100.64.0.1/']) {
      expect(webhookUrlProblem(url, false), url).to.match(/private/);
      expect(webhookUrlProblem(url, true), url).to.equal(null);
    }
    expect(isPrivateAddress('8.8.8.8')).to.equal(false);
    expect(isPrivateAddress('2606:4700::1111')).to.equal(false);
    expect(isPrivateAddress('172.31.255.255')).to.equal(true);
    expect(isPrivateAddress('172.32.0.1')).to.equal(false);
  });

  it('escapes member text for each chat format and links absolutely only with PUBLIC_URL', () => {
    expect(linkFor('/desk#alert-7', 'https://c.example.com')).to.equal('https://c.example.com/desk#alert-7');
    expect(linkFor('/desk#alert-7', null)).to.equal('/desk#alert-7');
    const slack = JSON.stringify(payloadFor('slack', notice, null, 'alert.raised'));
    expect(slack).to.include('&lt;!channel&gt; &amp;').and.not.include('<!channel>');
    expect(slack, 'no link markup around a relative path').to.not.include('</desk');
    const ding = payloadFor('dingtalk', notice, 'https://c.example.com', 'alert.raised') as { markdown: { text: string } };
    expect(ding.markdown.text).to.not.include('[点我]').and.not.include('<font');
    expect(ding.markdown.text).to.include('[在预警工作台查看](https://c.example.com/desk#alert-7)');
    const wecom = payloadFor('wecom', notice, null, 'alert.raised') as { markdown: { content: string } };
    expect(wecom.markdown.content).to.not.include('<font color="warning">x');
    expect(payloadFor('generic', notice, null, 'alert.raised')).to.deep.equal({ event: 'alert.raised', ...notice, url: '/desk#alert-7' });
    const long = payloadFor('wecom', { ...notice, summary: '长'.repeat(5_000) }, null, 'alert.raised') as { markdown: { content: string } };
    expect(Buffer.byteLength(long.markdown.content)).to.be.below(4_096);
  });

  it('scrubs the secret and the URL\'s key from error text', () => {
    const hook = { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-key', secret: 'SECsecret123' };
    const out = scrub('failed for https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-key with SECsecret123 and key=693a91f6-key', hook);
    expect(out).to.not.include('693a91f6-key').and.not.include('SECsecret123');
    expect(scrub('x'.repeat(1_000), hook)).to.have.length(300);
  });
});
