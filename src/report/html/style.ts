// The page's whole stylesheet: system fonts, one column, tables for the lines.
export const CSS = `
:root{--fg:#1d232b;--muted:#5d6875;--line:#dde2e8;--bg:#fff;--soft:#f5f7f9;--red:#b42318;--red-bg:#fdecea;--amber:#8a5a00;--amber-bg:#fff4d6;--grey:#4a5563;--grey-bg:#eef0f3;--blue:#1f4f8f;--blue-bg:#e8f0fb;--green:#1e6b3a;--green-bg:#e6f4ea}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:0 0 8px}
p{margin:6px 0}
a{color:var(--blue)}
code,.mono,td.t,td.src,td.rel{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.sub{color:var(--muted);margin:0 0 14px}
nav{display:flex;flex-wrap:wrap;gap:6px 16px;margin:10px 0 0;font-size:14px}
.verdict{margin:16px 0 0;padding:10px 14px;border-radius:6px;border:1px solid;font-weight:600}
.verdict.bad{color:var(--red);background:var(--red-bg);border-color:#f3c1bb}
.verdict.ok{color:var(--green);background:var(--green-bg);border-color:#bfe0c9}
table{border-collapse:collapse;width:100%;margin:6px 0 4px}
th,td{text-align:left;vertical-align:top;padding:4px 10px 4px 0;border-bottom:1px solid var(--line)}
th{font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
table.lines{table-layout:fixed}
col.c-t{width:7.5em}
col.c-rel{width:9.5em}
col.c-src{width:15em}
th.t,td.t,td.rel{white-space:nowrap;text-align:right;padding-right:16px}
th.n,td.n{text-align:right;padding-right:16px;white-space:nowrap}
th,td.nw{white-space:nowrap}
td.rel{color:var(--muted)}
td.src{color:var(--muted);overflow-wrap:anywhere}
td.what{overflow-wrap:anywhere}
tr.detail td.what{padding-left:22px;color:var(--grey)}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px 10px;margin:0 0 16px;background:var(--bg)}
.card>header{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px;margin-bottom:4px}
.facts{display:flex;flex-wrap:wrap;gap:2px 18px;margin:0 0 6px;color:var(--muted);font-size:14px}
.facts b{color:var(--fg);font-weight:500;overflow-wrap:anywhere}
.outcome{margin:8px 0 2px}
.outcome b{font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.b-proven{color:var(--red);background:var(--red-bg)}
.b-suggested{color:var(--amber);background:var(--amber-bg)}
.b-inconclusive{color:var(--grey);background:var(--grey-bg)}
.b-expected{color:var(--blue);background:var(--blue-bg)}
.b-muted{color:var(--grey);background:var(--grey-bg)}
.b-gave_up{color:var(--red);background:var(--red-bg)}
.b-reaped{color:var(--green);background:var(--green-bg)}
.b-not_run,.b-pending{color:var(--grey);background:var(--grey-bg)}
.card.expected{background:var(--soft)}
.rule{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:14px;font-weight:600}
.why{color:var(--amber)}
.muted{color:var(--muted)}
ol.reasons{margin:6px 0;padding-left:22px}
details{margin:8px 0}
summary{cursor:pointer;color:var(--muted)}
.caps{columns:2 280px;margin:6px 0;padding:0;list-style:none;font-size:13px}
.charts{display:grid;grid-template-columns:1fr;gap:16px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:12px 16px}
figure.chart figcaption{font-weight:600;margin-bottom:8px}
.chart-view{width:100%;min-height:60px;overflow-x:auto}
.chart-view svg{max-width:100%;height:auto}
.chart-error{color:var(--red)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
footer{margin-top:40px;color:var(--muted);font-size:13px}
@media print{main{max-width:none;padding:0}.card,figure.chart{break-inside:avoid}nav{display:none}}
`;
