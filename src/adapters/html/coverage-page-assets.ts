/**
 * The inline style and script of the coverage page. The script reads the page's JSON data and draws each
 * calendar as SVG `<rect>`s (one per day: weeks as columns, Monday..Sunday as rows, one band per year), shows a
 * day's numbers on hover (a tooltip, and a `<title>` added to the cell), and sorts the summary table when a header
 * is clicked. Plain ES5-style code with no dependency: the page works from disk with no network.
 */

/** Viridis steps (dark to light, so they stay apart in grey and for every common colour-vision deficiency). */
export const DAY_FILLS = {
  q0: '#440154',
  q1: '#3b528b',
  q2: '#21918c',
  q3: '#5ec962',
  q4: '#fde725',
  nt: '#e8e8e8',
  ke: 'url(#ke-hatch)',
} as const;

/** Calendar geometry (pixels): a cell every `step`, weekday labels in `left`, month labels in `head`, a band per year. */
export const CAL = { step: 12, left: 34, head: 14, band: 14 + 7 * 12 + 8 } as const;

/** Width and height of a calendar of the years `fromYear`..`toYear`. */
export function calendarSize(fromYear: number, toYear: number): { width: number; height: number } {
  return { width: CAL.left + 54 * CAL.step, height: (toYear - fromYear + 1) * CAL.band };
}

export const PAGE_STYLE = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:16px 24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:16px 0 4px}
.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th:first-child,td:first-child,th.t,td.t{text-align:left}
#summary th{cursor:pointer;user-select:none;background:#f4f4f4}
#summary th[aria-sort=ascending]::after{content:" \\25B2"}#summary th[aria-sort=descending]::after{content:" \\25BC"}
svg.cal{display:block;overflow:visible}svg.cal text,svg.legend text{font-size:10px;fill:#555}
svg.cal rect{width:10px;height:10px}svg.cal rect:hover{stroke:#000;stroke-width:1.5px}
${Object.entries(DAY_FILLS).map(([c, f]) => `.${c}{fill:${f}}`).join('')}
.nt{stroke:#d0d0d0;stroke-width:.5px}
#tip{position:fixed;display:none;pointer-events:none;background:#222;color:#fff;padding:4px 8px;border-radius:3px;font-size:12px;white-space:pre}
details.gap-list{margin:6px 0}details.gap-list summary{cursor:pointer;font-weight:600}details.gap-list small{font-weight:400;color:#555}
ol.gaps{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin:4px 0;padding-left:2.5em}
.more{color:#555}
`;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('coverage-data').textContent);
  var CLS = { '0': 'q0', '1': 'q1', '2': 'q2', '3': 'q3', '4': 'q4', n: 'nt', k: 'ke' };
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DAY = 864e5, STEP = ${CAL.step}, LEFT = ${CAL.left}, HEAD = ${CAL.head}, BAND = ${CAL.band};
  var from = Date.parse(D.from + 'T00:00:00Z'), last = from + (D.n - 1) * DAY;
  var y0 = new Date(from).getUTCFullYear(), y1 = new Date(last).getUTCFullYear();

  function weekday(ms) { return (new Date(ms).getUTCDay() + 6) % 7; }
  function column(ms) {
    var jan1 = Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
    return Math.floor(((ms - jan1) / DAY + weekday(jan1)) / 7);
  }
  function frame() {
    var s = '';
    for (var y = y0; y <= y1; y++) {
      var top = (y - y0) * BAND;
      s += '<text x="0" y="' + (top + 10) + '">' + y + '</text>';
      for (var m = 0; m < 12; m++) {
        var a = Math.max(Date.UTC(y, m, 1), from);
        if (a > last || Date.UTC(y, m + 1, 1) <= from) continue;
        s += '<text x="' + (LEFT + column(a) * STEP) + '" y="' + (top + 10) + '">' + MONTHS[m] + '</text>';
      }
      for (var r = 0; r < 5; r += 2) s += '<text x="0" y="' + (top + HEAD + r * STEP + 9) + '">' + ['Mon', '', 'Wed', '', 'Fri'][r] + '</text>';
    }
    return s;
  }
  function cells(codes) {
    var parts = new Array(D.n);
    for (var i = 0; i < D.n; i++) {
      var ms = from + i * DAY, d = new Date(ms);
      var x = LEFT + column(ms) * STEP, y = (d.getUTCFullYear() - y0) * BAND + HEAD + weekday(ms) * STEP;
      parts[i] = '<rect class="' + CLS[codes.charAt(i)] + '" x="' + x + '" y="' + y + '" data-i="' + i + '" data-date="' + d.toISOString().slice(0, 10) + '"/>';
    }
    return parts.join('');
  }
  // Calendars are drawn when they come near the viewport (and all of them before printing): a page of 100
  // instruments over 5 years shows its first screen at once instead of laying out 180,000 cells first.
  var head = frame();
  function draw(svg) {
    if (svg.hasAttribute('data-drawn')) return;
    svg.innerHTML = head + cells(D.series[Number(svg.getAttribute('data-idx'))].c);
    svg.setAttribute('data-drawn', '1');
  }
  var svgs = document.querySelectorAll('svg.cal');
  function drawAll() { for (var k = 0; k < svgs.length; k++) draw(svgs[k]); }
  if (typeof IntersectionObserver === 'function') {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) { io.unobserve(en.target); draw(en.target); }
      });
    }, { rootMargin: '800px 0px' });
    for (var k = 0; k < svgs.length; k++) io.observe(svgs[k]);
  } else {
    drawAll();
  }
  window.addEventListener('beforeprint', drawAll);

  // Expected bars are run-length pairs [value, count, ...]: expanded once per series, on its first hover.
  function expectedAt(s, i) {
    if (!s.ex) {
      s.ex = [];
      for (var r = 0; r < s.e.length; r += 2) for (var c = 0; c < s.e[r + 1]; c++) s.ex.push(s.e[r]);
    }
    return s.ex[i];
  }
  var tip = document.getElementById('tip');
  function describe(rect) {
    var s = D.series[Number(rect.parentNode.getAttribute('data-idx'))], i = Number(rect.getAttribute('data-i'));
    var e = expectedAt(s, i), miss = s.m[i], p = e - miss, ke = s.k[i];
    return rect.getAttribute('data-date') + (e === 0 ? ' (no bars expected)' : '') + '\\nexpected ' + e + ', present ' + p +
      ', missing ' + miss + (ke > 0 ? ' (' + ke + ' known empty)' : '');
  }
  document.addEventListener('mouseover', function (ev) {
    var t = ev.target;
    if (!(t instanceof SVGRectElement) || !t.hasAttribute('data-i')) return;
    var text = describe(t);
    if (!t.firstChild) {
      var title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title.textContent = text;
      t.appendChild(title);
    }
    tip.textContent = text;
    tip.style.display = 'block';
    tip.style.left = ev.clientX + 12 + 'px';
    tip.style.top = ev.clientY + 12 + 'px';
  });
  document.addEventListener('mouseout', function (ev) {
    if (ev.target instanceof SVGRectElement) tip.style.display = 'none';
  });

  var table = document.getElementById('summary');
  var ths = table.querySelectorAll('th');
  function sortBy(col, numeric, dir) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
      var c = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
      return c * dir;
    });
    for (var r = 0; r < rows.length; r++) body.appendChild(rows[r]);
  }
  Array.prototype.forEach.call(ths, function (th, col) {
    th.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(ths, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      sortBy(col, th.getAttribute('data-type') === 'num', dir);
    });
  });
  document.body.setAttribute('data-ready', '1');
})();
`;
