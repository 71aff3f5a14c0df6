/** {{initial name}}: the first character (code point) of a name, for text avatars. */
export function initial(name: string | undefined): string {
  return name ? (Array.from(name.trim())[0] ?? '?').toUpperCase() : '?';
}
