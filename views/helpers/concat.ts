/** {{concat "a." b}}: join strings (for computed i18n keys). The last argument is Handlebars' options. */
export function concat(...args: unknown[]): string {
  return args.slice(0, -1).map(String).join('');
}
