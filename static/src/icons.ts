/** The few lucide icons (ISC) the browser code draws itself, bundled as text by esbuild (static/build.ts). */
import thumbsUp from 'lucide-static/icons/thumbs-up.svg';

const sources = new Map<string, string>([['thumbs-up', thumbsUp]]);

/** An inline SVG icon like the server's {{icon}}: decorative (aria-hidden), coloured by currentColor. */
export function iconElement(name: string): SVGSVGElement {
  const source = sources.get(name);
  if (!source) throw new Error(`icon: "${name}" is not bundled`);
  const holder = document.createElement('span');
  holder.innerHTML = source; // our own bundled file, never user input
  const svg = holder.querySelector('svg')!;
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  return svg;
}
