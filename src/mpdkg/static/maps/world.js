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
  if (layerSel) layerSel.addEventListener("change", function () { render(); });

  /* Another layer of the influence analysis (protection, mobility, alignment): its score per country. */
  function layerScores() {
    var id = layerSel ? layerSel.value : "channels";
    if (id === "channels" || !model.layers || !model.layers[id]) return null;
    var L = model.layers[id];
    return { max: L.max, scores: L.years[String(M.year())] || {}, label: L.label };
  }

  function render() {
    var slice = M.currentSlice();
    rows = M.rowsByCountry(slice);
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
