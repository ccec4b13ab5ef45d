#include "report/html_style.h"

namespace lrpseg {

// A paper-like page: serif text on a sheet, booktabs-style tables (rules above,
// below and under the header only), numbered sections; system fonts only.
const std::string& report_stylesheet() {
  static const std::string css = R"CSS(
:root {
  --ink: #1d1d1f; --muted: #62615c; --rule: #1d1d1f; --faint: #e4e1d8;
  --sheet: #fffefa; --desk: #efede6; --accent: #8c2a1c; --tint: #f6f4ee;
  --sans: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif;
  --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--desk); color: var(--ink);
  font: 17px/1.55 Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia,
        "DejaVu Serif", "Times New Roman", serif;
  counter-reset: section;
}
main {
  max-width: 1100px; margin: 2rem auto; padding: 2.6rem 3.2rem 3rem;
  background: var(--sheet); box-shadow: 0 1px 4px rgba(0, 0, 0, .12);
}
header.title { border-bottom: 2px solid var(--rule); padding-bottom: 1rem; }
header.title h1 { font-weight: normal; font-size: 2.1rem; line-height: 1.2; margin: 0 0 .4rem; }
.meta { color: var(--muted); font-family: var(--sans); font-size: .88rem; margin: 0; }
.meta span + span::before { content: "\00b7"; margin: 0 .55em; }
nav.toc { font-family: var(--sans); font-size: .88rem; margin: 1rem 0 0; }
nav.toc ol { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.4rem; }
nav.toc li { counter-increment: toc; }
nav.toc li::before { content: counter(toc) ". "; color: var(--muted); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section { margin-top: 2.4rem; }
h2 { font-size: 1.4rem; font-weight: 600; margin: 0 0 .8rem; counter-increment: section; }
h2::before { content: counter(section) "\2002"; color: var(--muted); }
h3 { font-size: 1.1rem; font-weight: 600; margin: 1.6rem 0 .5rem; }
h4 { font-size: 1rem; font-style: italic; font-weight: normal; margin: 1.2rem 0 .4rem; }
p { margin: .5rem 0; }
p.note { color: var(--muted); font-size: .92rem; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table.data {
  border-collapse: collapse; margin: 0; font-size: .9rem;
  border-top: 2px solid var(--rule); border-bottom: 2px solid var(--rule);
  font-variant-numeric: tabular-nums lining-nums;
}
table.data caption {
  caption-side: top; text-align: left; font-size: .9rem; color: var(--muted);
  padding-bottom: .45rem;
}
table.data caption b { color: var(--ink); }
table.data th {
  font-weight: 600; text-align: left; padding: .4rem .9rem .3rem;
  border-bottom: 1px solid var(--rule); white-space: nowrap;
}
table.data td { padding: .22rem .9rem; white-space: nowrap; }
table.data tbody tr:hover td { background: var(--tint); }
table.data tr.group td { border-top: 1px solid var(--faint); }
table.data tfoot td { border-top: 1px solid var(--rule); font-style: italic; }
table.data .num { text-align: right; }
table.data .center { text-align: center; }
table.data .best, table.data strong { font-weight: 700; }
table.data .missing { color: var(--muted); }
figure { margin: 1.6rem 0; }
figure img {
  display: block; max-width: 100%; height: auto; margin: 0 auto;
  border: 1px solid var(--faint); background: #fff;
}
figcaption { font-size: .9rem; color: var(--muted); margin-top: .5rem; text-align: center; }
figcaption b { color: var(--ink); font-weight: 600; }
details { margin: 1rem 0; }
details > summary {
  cursor: pointer; font-family: var(--sans); font-size: .9rem; color: var(--accent);
  padding: .2rem 0; user-select: none;
}
details[open] > summary { margin-bottom: .4rem; }
pre, code { font-family: var(--mono); }
code { font-size: .88em; background: var(--tint); padding: 0 .2em; border-radius: 2px; }
pre {
  background: var(--tint); border: 1px solid var(--faint); padding: .8rem 1rem;
  overflow: auto; font-size: .78rem; line-height: 1.45; max-height: 32rem; margin: 0;
}
ul.files { font-family: var(--sans); font-size: .9rem; padding-left: 1.2rem; }
footer { margin-top: 3rem; padding-top: .8rem; border-top: 1px solid var(--faint);
         color: var(--muted); font-family: var(--sans); font-size: .8rem; }

/* The slice viewer */
.viewer { font-family: var(--sans); font-size: .88rem; }
.viewer-controls {
  display: flex; flex-wrap: wrap; align-items: center; gap: .6rem 1.5rem;
  padding: .7rem 1rem; background: var(--tint); border: 1px solid var(--faint); border-radius: 4px;
}
.viewer-controls .control { display: inline-flex; align-items: center; gap: .45rem; }
.viewer-controls .control > span:first-child { color: var(--muted); }
.viewer-controls select { font: inherit; padding: .15rem .3rem; max-width: 22rem; }
.viewer-controls input[type=range] { width: 9rem; }
.slice-number { font-variant-numeric: tabular-nums; min-width: 3.6em; }
.viewer-title { font-weight: 600; margin: .9rem 0 .2rem; }
.viewer-panels {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(185px, 1fr));
  gap: .9rem; margin-top: .5rem;
}
.viewer-panels figure { margin: 0; }
.viewer-panels figcaption { font-size: .8rem; margin-top: .3rem; line-height: 1.3; }
canvas.slice {
  display: block; width: 100%; height: auto; background: #000; cursor: crosshair;
  image-rendering: crisp-edges; image-rendering: pixelated;
}
.colorbar-wrap { margin-top: .35rem; font-size: .75rem; color: var(--muted); }
canvas.colorbar {
  display: block; width: 100%; height: 10px; border: 1px solid #bbb;
  image-rendering: crisp-edges; image-rendering: pixelated;
}
.colorbar-ticks { display: flex; justify-content: space-between; font-variant-numeric: tabular-nums; }
.colorbar-wrap .scale { display: block; text-align: center; color: var(--ink); }
.readout {
  margin-top: .7rem; padding: .4rem .7rem; min-height: 2.1em; font-family: var(--mono);
  font-size: .8rem; background: var(--tint); border: 1px solid var(--faint); border-radius: 4px;
}
.error { color: #b00020; }

@media (max-width: 760px) {
  main { margin: 0; padding: 1.2rem 1rem 2rem; box-shadow: none; }
  header.title h1 { font-size: 1.6rem; }
  body { font-size: 16px; }
}
@media print {
  body { background: #fff; }
  main { box-shadow: none; margin: 0; max-width: none; }
  details { display: block; }
  .viewer-controls, .readout { display: none; }
}
)CSS";
  return css;
}

}  // namespace lrpseg
