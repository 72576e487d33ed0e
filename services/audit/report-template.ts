/**
 * The report's inline style sheet and script. The script only sorts and filters the tables
 * already in the page (each `table[data-sortable]`, its filter box and its `<details>` fold of
 * the rows past the first ones); it reads no data of its own, so every value stays HTML-escaped
 * text. Without script the page still reads: the fold opens by itself.
 * Both are pinned by hash in the page's Content-Security-Policy.
 */

export const REPORT_CSS = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --card: #fff;
  --ok: #2f855a; --bad: #c53030; --warn: #b7791f; --info: #2b6cb0; --idle: #718096; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
main { max-width: 1440px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; }
.meta { color: var(--muted); margin: 0; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: #e4e7eb;
  padding: 1px 5px; border-radius: 4px; }
.summary { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 14px 20px; margin-top: 18px; font-size: 16px; }
.summary p { margin: 6px 0; }
.summary .saving { color: var(--ok); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px;
  margin-top: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 16px; border-top: 4px solid var(--idle); }
.card .value { font-size: 28px; font-weight: 650; }
.card .label { color: var(--muted); font-size: 13px; }
.card.ok { border-top-color: var(--ok); } .card.bad { border-top-color: var(--bad); }
.card.warn { border-top-color: var(--warn); } .card.info { border-top-color: var(--info); }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 16px; overflow-x: auto; }
.attention { border-left: 4px solid var(--bad); }
.none { color: var(--muted); margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; table-layout: fixed; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; overflow-wrap: anywhere; }
td.id { font-size: 13px; color: #3e4c59; }
/* Long tables: one line a row, cut with an ellipsis; the row under the pointer shows it all. */
table[data-sortable] td, table.rest td { white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; padding-top: 4px; padding-bottom: 4px; }
table[data-sortable] tr:hover td, table.rest tr:hover td { white-space: normal; }
details.more { margin-top: 8px; }
details.more summary { cursor: pointer; color: var(--info); font-weight: 600; padding: 6px 0; }
h3 { font-size: 16px; margin: 20px 0 8px; }
.w-status { width: 160px; } .w-email { width: 220px; } .w-user { width: 220px; }
.w-role { width: 96px; } .w-source { width: 132px; } .w-decision { width: 88px; }
.w-attempts { width: 84px; } .w-what { width: 220px; }
td.num, th.num { text-align: right; }
th button { all: unset; cursor: pointer; font-weight: 650; white-space: nowrap; }
th button:focus-visible { outline: 2px solid var(--info); }
th button::after { content: " \\2195"; color: #9aa5b1; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--ink); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--ink); }
tbody tr:nth-child(even) { background: #fafbfc; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px;
  font-weight: 600; color: #fff; background: var(--idle); white-space: nowrap; }
.s-failed, .s-blocked { background: var(--bad); } .s-not_found { background: var(--warn); }
.s-deleted { background: var(--ok); } .s-already_gone { background: #68a37f; }
.s-planned { background: var(--info); } .s-kept { background: var(--info); }
.tools { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; flex-wrap: wrap; }
.tools input { font: inherit; padding: 6px 10px; border: 1px solid #9aa5b1; border-radius: 6px;
  min-width: 320px; }
.tools output { color: var(--muted); }
svg text { font: 13px system-ui, sans-serif; fill: var(--ink); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { font-weight: 600; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; }
@media print { .tools { display: none; } body { background: #fff; } }
`;

export const REPORT_SCRIPT = `
(function () {
  function list(x) { return Array.prototype.slice.call(x); }
  list(document.querySelectorAll('table[data-sortable]')).forEach(function (table) {
    var id = table.id;
    var filter = document.querySelector('[data-filter-for="' + id + '"]');
    var shown = document.querySelector('[data-shown-for="' + id + '"]');
    var more = document.querySelector('[data-more-for="' + id + '"]');
    var moreBody = more ? more.querySelector('tbody') : null;
    var moreLabel = more ? more.querySelector('summary') : null;
    var body = table.tBodies[0];
    var rows = list(body.rows).concat(moreBody ? list(moreBody.rows) : []);
    var first = Number(table.getAttribute('data-first')) || 50;
    var heads = list(table.tHead.rows[0].cells);
    var sortCol = -1;
    var dir = 1;
    function keyOf(row, col) {
      var cell = row.cells[col];
      var key = cell.getAttribute('data-sort');
      return key !== null ? key : cell.textContent.trim().toLowerCase();
    }
    // The first matching rows in the table, the other ones in the fold below it.
    function layout() {
      var n = 0;
      rows.forEach(function (r) {
        if (r.hidden) (moreBody || body).appendChild(r);
        else (n++ >= first && moreBody ? moreBody : body).appendChild(r);
      });
      if (more) {
        var rest = Math.max(0, n - first);
        more.hidden = rest === 0;
        moreLabel.textContent = 'Show ' + rest.toLocaleString('en-US') + ' more rows';
      }
      if (shown) shown.textContent = 'Showing ' + n.toLocaleString('en-US') + ' of ' +
        rows.length.toLocaleString('en-US');
    }
    heads.forEach(function (th, col) {
      th.querySelector('button').addEventListener('click', function () {
        dir = sortCol === col ? -dir : 1;
        sortCol = col;
        var numeric = th.getAttribute('data-type') === 'number';
        rows.sort(function (a, b) {
          var x = keyOf(a, col);
          var y = keyOf(b, col);
          var c = numeric ? (Number(x) || 0) - (Number(y) || 0) : x.localeCompare(y);
          return c * dir;
        });
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        layout();
      });
    });
    function applyFilter() {
      var q = filter ? filter.value.trim().toLowerCase() : '';
      rows.forEach(function (r) {
        r.hidden = !(q === '' || r.textContent.toLowerCase().indexOf(q) >= 0);
      });
      layout();
    }
    if (filter) filter.addEventListener('input', applyFilter);
    applyFilter();
  });
})();
`;
