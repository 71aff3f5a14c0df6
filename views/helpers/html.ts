import Handlebars from 'handlebars';

/**
 * {{html post.html}}: output HTML that the server itself sanitised (markdown.ts). The only
 * way unescaped markup reaches a page; never pass user input that did not go through it.
 */
export function html(sanitised: string | undefined): Handlebars.SafeString {
  return new Handlebars.SafeString(sanitised ?? '');
}
