import Handlebars from 'handlebars';

/** {{json value}}: JSON for a data-* attribute or <script type="application/json"> (escaped for HTML). */
export function json(value: unknown): Handlebars.SafeString {
  const s = JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027');
  return new Handlebars.SafeString(s);
}
