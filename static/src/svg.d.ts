/** SVG files imported by the browser code arrive as their text (esbuild's text loader, static/build.ts). */
declare module '*.svg' {
  const text: string;
  export default text;
}
