/** Bundles the browser code (static/src) into static/dist with esbuild. Run by prestart/pretest. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: { app: path.join(here, 'src/app.ts'), console: path.join(here, 'src/console/main.ts'), desk: path.join(here, 'src/desk/main.ts') },
  outdir: path.join(here, 'dist'),
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: process.env.NODE_ENV === 'production',
  sourcemap: true,
  logLevel: 'warning',
  // Icons the browser draws itself (static/src/icons.ts) are bundled as text.
  loader: { '.svg': 'text' },
});
