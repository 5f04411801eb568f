/**
 * The page around the charts: one self-contained HTML document, inline CSS and SVG, no script, and a
 * Content-Security-Policy that forbids every fetch (the page opens from disk with no network). Laid
 * out for a laptop screen (charts scale to the width, up to 1180 px) and for print (no figure split
 * over pages, black text on white).
 */
import type { Chart } from './chart.js';
import { esc } from './svg.js';

export const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #ffffff; color: #222222; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif; }
main { max-width: 1220px; margin: 0 auto; padding: 20px 20px 40px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h1 .tool { color: #666666; font-weight: 400; }
h2 { font-size: 19px; margin: 34px 0 6px; padding-top: 10px; border-top: 1px solid #dddddd; }
p { margin: 4px 0; max-width: 75em; }
.meta, figcaption, .note-text { color: #555555; font-size: 13.5px; }
nav { margin: 10px 0 0; font-size: 14px; }
nav a { color: #0072B2; margin-right: 14px; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.status span { display: inline-block; margin-right: 14px; }
figure { margin: 8px 0 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; max-width: 1180px; }
figcaption { margin-top: 6px; max-width: 75em; }
svg .tick { font-size: 10.5px; fill: #333333; }
svg .panel-title { font-size: 11.5px; font-weight: 600; }
svg .axis-title { font-size: 12px; fill: #222222; }
svg .facet { font-size: 13.5px; font-weight: 700; }
svg .legend { font-size: 11.5px; }
svg .note { font-size: 10px; fill: #333333; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
svg .cell-value { font-size: 12px; }
svg .cell-note { font-size: 10px; }
table.stats { border-collapse: collapse; font-size: 13.5px; margin: 4px 0 10px; }
table.stats th, table.stats td { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid #eeeeee; white-space: nowrap; }
table.stats th { font-weight: 600; color: #333333; }
h3 { font-size: 15px; margin: 14px 0 2px; }
table.config { border-collapse: collapse; font-size: 13.5px; margin-top: 6px; }
table.config th, table.config td { text-align: left; vertical-align: top; padding: 3px 14px 3px 0; border-bottom: 1px solid #eeeeee; }
table.config th { font-weight: 600; white-space: nowrap; color: #333333; }
pre { background: #f5f5f5; border: 1px solid #e0e0e0; padding: 10px 12px; overflow-x: auto; font: 13px/1.4 ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; white-space: pre; }
details { margin-top: 8px; font-size: 14px; }
footer { margin-top: 30px; color: #777777; font-size: 12.5px; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  pre { white-space: pre-wrap; }
  details > pre { display: block; }
}
@page { size: landscape; margin: 12mm; }
`;

export interface PageParts {
  title: string;
  subtitle?: string;
  meta: string[];
  /** Status counts etc. (HTML, already escaped). */
  statusHtml: string;
  charts: Chart[];
  configHtml: string;
  reproduce: string[];
  footer: string;
}

export function page(p: PageParts): string {
  const nav = [...p.charts.map((c) => [c.id, c.title]), ['config', 'Configuration'], ['reproduce', 'Reproduce']]
    .map(([id, t]) => `<a href="#${esc(id)}">${esc(t)}</a>`)
    .join('');
  const sections = p.charts
    .map((c) => `<section id="${esc(c.id)}">\n<h2>${esc(c.title)}</h2>\n<figure>\n${c.svg}\n<figcaption>${esc(c.caption)}</figcaption>\n</figure>\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1><span class="tool">kstep ·</span> ${esc(p.title.replace(/^kstep report: /, ''))}</h1>
${p.subtitle ? `<p>${esc(p.subtitle)}</p>` : ''}
<p class="meta">${p.meta.map(esc).join(' · ')}</p>
<p class="status">${p.statusHtml}</p>
<nav>${nav}</nav>
</header>
${sections}
<section id="config">
<h2>Configuration</h2>
${p.configHtml}
</section>
<section id="reproduce">
<h2>Reproduce</h2>
<p class="note-text">Every random draw is seeded from the spec, so these commands give the same CSVs (apart from wall times) on any machine, with any number of workers.</p>
<pre><code>${esc(p.reproduce.join('\n'))}</code></pre>
</section>
<footer>${esc(p.footer)}</footer>
</main>
</body>
</html>
`;
}
