/* mpdkg world map: shade each country by its score in the chosen pillar and year; click for
   its details (refreshed when the pillar or year changes) and its country page. */
"use strict";
(function () {
  var M = MPDKG, model = M.model;
  var byIso = {};
  model.countries.forEach(function (c, i) { byIso[c[0]] = i; });
  var paths = Array.prototype.slice.call(document.querySelectorAll("#world path.country"));
  var rows = {};

  function fmt(v) { return Number(v.toPrecision(3)).toString(); }

  var layerSel = document.getElementById("layer");
  if (layerSel) layerSel.addEventListener("change", function () {
    // a flow series ends before the slider (UNHCR's last year): show its last year, not an empty map
    var S = flowSeries();
    if (S && M.year() > S.span[1]) return M.setYear(S.span[1]);
    render();
  });

  /* Another layer of the influence analysis (protection, mobility, alignment): its score per country. */
  function layerScores() {
    var id = layerSel ? layerSel.value : "channels";
    if (id === "channels" || !model.layers || !model.layers[id]) return null;
    var L = model.layers[id];
    return { max: L.max, scores: L.years[String(M.year())] || {}, label: L.label };
  }

  /* Flow arcs (resettlement to Canada, asylum claims in Canada): the series chosen in the layer menu. */
  var overlay = document.getElementById("world-overlay");
  var SVGNS = "http://www.w3.org/2000/svg";
  var flowLegend = document.getElementById("flow-legend");
  var scoreLegend = document.getElementById("score-legend");

  function flowSeries() {
    var id = layerSel ? layerSel.value : "";
    if (id.indexOf("flow:") !== 0 || !model.flows || !model.flows.series) return null;
    return model.flows.series[id.slice(5)] || null;
  }

  function arcWidth(n, max) {
    var F = model.flows;
    return max > 0 ? Math.round(Math.max(F.minWidth, F.maxWidth * n / max) * 100) / 100 : F.minWidth;
  }

  /* A quadratic curve from the origin to Canada, bowed northwards by a third of its length. */
  function arcPath(a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1], d = Math.sqrt(dx * dx + dy * dy);
    var cx = (a[0] + b[0]) / 2, cy = (a[1] + b[1]) / 2 - Math.min(0.35 * d, 140);
    return "M" + a[0] + "," + a[1] + "Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " + b[0] + "," + b[1];
  }

  function fmtN(n) { return Number(n).toLocaleString("en-CA"); }

  function clearArcs() { while (overlay && overlay.firstChild) overlay.removeChild(overlay.firstChild); }

  function renderFlows(S) {
    var y = String(M.year()), row = S.years[y] || {}, C = model.flows.centroids, home = C[model.canada];
    var origins = Object.keys(row).filter(function (iso) { return C[iso] && iso !== model.canada; });
    origins.sort(function (a, b) { return row[b] - row[a] || (a < b ? -1 : 1); });
    var total = 0;
    Object.keys(row).forEach(function (iso) { total += row[iso]; });
    var drawn = origins.slice(0, model.flows.limit);
    paths.forEach(function (p) {
      var iso = p.getAttribute("data-iso3");
      p.setAttribute("fill", !iso || !(iso in byIso) ? model.colours.noData : iso === model.canada ?
        model.colours.canada : row[iso] ? "#e7e1ef" : model.colours.noChannel);
    });
    clearArcs();
    drawn.slice().reverse().forEach(function (iso) {  // the largest last, on top
      var el = document.createElementNS(SVGNS, "path");
      el.setAttribute("d", arcPath(C[iso], home));
      el.setAttribute("class", "arc");
      el.setAttribute("data-iso3", iso);
      el.setAttribute("data-n", String(row[iso]));
      el.setAttribute("stroke", S.colour);
      el.setAttribute("stroke-width", String(arcWidth(row[iso], S.max)));
      el.addEventListener("mouseenter", function (ev) { el.classList.add("hover"); M.show(arcHtml(S, iso, row[iso]), ev); });
      el.addEventListener("mousemove", function (ev) { M.place(ev); });
      el.addEventListener("mouseleave", function () { el.classList.remove("hover"); M.hide(); });
      overlay.appendChild(el);
    });
    flowLegendHtml(S, y, total, Object.keys(row).length, drawn.length);
    var count = document.getElementById("visible-count");
    count.textContent = drawn.length + " arcs drawn (of " + Object.keys(row).length + " origins) in " + y;
    count.setAttribute("data-shaded", String(drawn.length));
    M.subtitle(S.label + " (UNHCR)");
    M.refresh();
  }

  function arcHtml(S, iso, n) {
    var c = model.countries[byIso[iso]];
    return "<h3>" + M.esc(c ? c[1] : iso) + " → Canada, " + M.year() + "</h3><p><b>" + fmtN(n) + "</b> " +
      M.esc(S.label) + " (" + M.esc(S.unit) + ")</p><p class=\"facts\">Source: " + M.esc(S.source) + "</p>";
  }

  function flowLegendHtml(S, y, total, origins, drawn) {
    if (!flowLegend) return;
    var inSpan = Number(y) >= S.span[0] && Number(y) <= S.span[1];
    var head = S.years[y] ? S.label + ", " + y + ": " + fmtN(total) + " " + S.unit + " from " + origins +
      " origin" + (origins === 1 ? "" : "s") + (drawn < origins ? " (the " + drawn + " largest drawn)" : "") :
      inSpan ? S.label + ", " + y + ": none recorded by UNHCR" :
      "No UNHCR figures for " + y + ": the series covers " + S.span[0] + "–" + S.span[1];
    var h = '<p class="flow-title" id="flow-title">' + M.esc(head) + "</p><svg class=\"flow-keys\" width=\"360\" height=\"30\">";
    S.steps.forEach(function (st, i) {
      var x = 10 + i * 120;
      h += '<line class="flow-key" data-n="' + st[0] + '" x1="' + x + '" y1="10" x2="' + (x + 40) + '" y2="10" stroke="' +
        S.colour + '" stroke-width="' + st[1] + '"/><text x="' + (x + 46) + '" y="14" font-size="12">' + fmtN(st[0]) + "</text>";
    });
    flowLegend.innerHTML = h + "</svg><p class=\"facts\">Arc width in " + M.esc(S.unit) + " (linear, the same scale in every year). Source: " +
      M.esc(S.source) + "</p>";
  }

  function render() {
    var slice = M.currentSlice();
    rows = M.rowsByCountry(slice);
    var S = flowSeries();
    if (flowLegend) flowLegend.hidden = !S;
    if (scoreLegend) scoreLegend.hidden = !!S;
    if (S) return renderFlows(S);
    clearArcs();
    var layer = layerScores();
    if (layer) return renderLayer(layer, slice);
    var shaded = 0, partners = slice.rows.length;
    paths.forEach(function (p) {
      var iso = p.getAttribute("data-iso3");
      var fill;
      if (!iso || !(iso in byIso)) fill = model.colours.noData;
      else if (iso === model.canada) fill = model.colours.canada;
      else {
        var row = rows[byIso[iso]];
        // only a country with a channel to Canada in this slice is shaded, as the legend says
        fill = M.scoreColour(row ? row.score : 0, slice.max);
        if (row && row.score > 0) shaded++;
      }
      p.setAttribute("fill", fill);
    });
    var ticks = document.querySelectorAll("#legend-ticks span");
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t, i) { if (ticks[i]) ticks[i].textContent = fmt(t * t * slice.max); });
    var count = document.getElementById("visible-count");
    count.textContent = partners + " countries with a channel to Canada in " + M.year() + " · " + shaded + " shaded on the map";
    count.setAttribute("data-shaded", String(shaded));
    M.subtitle("countries shaded by influence score");
    M.refresh();
  }

  function renderLayer(layer, slice) {
    var shaded = 0;
    paths.forEach(function (p) {
      var iso = p.getAttribute("data-iso3");
      var fill = !iso || !(iso in byIso) ? model.colours.noData : iso === model.canada ? model.colours.canada :
        M.scoreColour(layer.scores[iso] || 0, layer.max);
      if (layer.scores[iso] > 0 && iso !== model.canada) shaded++;
      p.setAttribute("fill", fill);
    });
    var ticks = document.querySelectorAll("#legend-ticks span");
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t, i) { if (ticks[i]) ticks[i].textContent = fmt(t * t * layer.max); });
    var count = document.getElementById("visible-count");
    count.textContent = shaded + " countries with a " + layer.label.toLowerCase() + " score in " + M.year();
    count.setAttribute("data-shaded", String(shaded));
    M.subtitle("countries shaded by the " + layer.label.toLowerCase() + " layer");
    M.refresh();
  }

  function html(p, full) {
    var iso = p.getAttribute("data-iso3");
    if (!iso || !(iso in byIso)) return "<h3>" + M.esc(p.textContent) + "</h3><p>No ISO 3166 code: not in the graph.</p>";
    return M.countryHtml(byIso[iso], rows[byIso[iso]], full);
  }

  paths.forEach(function (p) {
    p.addEventListener("mouseenter", function (ev) { p.classList.add("hover"); M.show(html(p, false), ev); });
    p.addEventListener("mousemove", function (ev) { M.place(ev); });
    p.addEventListener("mouseleave", function () { p.classList.remove("hover"); M.hide(); });
    p.addEventListener("click", function (ev) {
      ev.stopPropagation();
      M.pin("country:" + p.getAttribute("data-iso3"), function () { return html(p, true); });
    });
  });
  document.getElementById("world").addEventListener("click", function () { M.unpin(); });
  M.onChange(function (what) { if (what === "clear") M.unpin(); else render(); });
  render();
})();
