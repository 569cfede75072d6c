/* mpdkg relationship map: Canada at the centre, its channels (fora and agreements) around it,
   partner countries on the outer ring; positions are fixed (computed in Python), the pillar and
   year filters decide what is shown and how large. */
"use strict";
(function () {
  var M = MPDKG, model = M.model, layout = model.layout;
  var NS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("network");
  var gEdges = document.getElementById("edges");
  var gNodes = document.getElementById("nodes");
  var gLabels = document.getElementById("labels");
  var TOP_LABELS = 12;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function clear(g) { while (g.firstChild) g.removeChild(g.firstChild); }

  function label(x, y, text, cls) {
    var t = el("text", { x: x, y: y, "class": cls }, gLabels);
    t.textContent = text;
    return t;
  }

  function hoverable(node, htmlFn, edgeKey) {
    node.addEventListener("mouseenter", function (ev) { highlight(edgeKey, true); M.show(htmlFn(), ev); });
    node.addEventListener("mousemove", function (ev) { if (!M.isPinned()) M.place(ev); });
    node.addEventListener("mouseleave", function () { highlight(edgeKey, false); M.hide(); });
    node.addEventListener("click", function (ev) { ev.stopPropagation(); M.pin(htmlFn(), ev); });
  }

  function highlight(key, on) {
    svg.classList.toggle("focus", on);
    Array.prototype.forEach.call(gEdges.querySelectorAll('[data-k~="' + key + '"]'), function (e) {
      e.classList.toggle("on", on);
    });
  }

  function render() {
    var slice = M.currentSlice();
    var rows = M.rowsByCountry(slice);
    clear(gEdges); clear(gNodes); clear(gLabels);
    svg.classList.remove("focus");
    M.hide();  // the hovered node is gone; a pinned tooltip stays
    var channels = {};  // chIdx -> set of country indexes
    slice.canadaChannels.forEach(function (ch) { channels[ch] = {}; });
    var pairs = {};
    var partners = slice.rows.filter(function (r) { return r[3].length > 0; });
    partners.forEach(function (r) {
      r[3].forEach(function (li) {
        var l = model.links[li];
        if (!(l[1] in channels)) channels[l[1]] = {};
        channels[l[1]][l[0]] = true;
        pairs[l[1] + ">" + l[0]] = l;
      });
    });
    var chList = Object.keys(channels).map(Number).filter(function (ch) { return layout.channels[ch]; });
    var maxPartners = 1;
    chList.forEach(function (ch) { maxPartners = Math.max(maxPartners, Object.keys(channels[ch]).length); });
    var maxScore = 0;
    partners.forEach(function (r) { maxScore = Math.max(maxScore, r[1]); });
    var c0 = layout.canada;

    // edges: Canada -> channel, channel -> country
    chList.forEach(function (ch) {
      var p = layout.channels[ch];
      el("line", { x1: c0[0], y1: c0[1], x2: p[0], y2: p[1], "class": "edge spoke", "data-k": "ch" + ch,
                   stroke: M.pillarColour(model.channels[ch][5]) }, gEdges);
    });
    Object.keys(pairs).sort().forEach(function (key) {
      var l = pairs[key];
      var a = layout.channels[l[1]], b = layout.countries[l[0]];
      if (!a || !b) return;
      el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "edge", "data-k": "ch" + l[1] + " c" + l[0],
                   stroke: M.pillarColour(model.channels[l[1]][5]) }, gEdges);
    });

    // channel nodes (squares, coloured by pillar, sized by partners)
    chList.forEach(function (ch) {
      var p = layout.channels[ch];
      var n = Object.keys(channels[ch]).length;
      var s = 3 + 7 * Math.sqrt(n / maxPartners);
      var c = model.channels[ch];
      var r = el("rect", { x: p[0] - s, y: p[1] - s, width: 2 * s, height: 2 * s, rx: c[1] === "forum" ? 1.5 : 0,
                           "class": "node channel " + c[1], fill: M.pillarColour(c[5]), "data-id": c[0] }, gNodes);
      if (c[1] === "agreement") r.setAttribute("transform", "rotate(45 " + p[0] + " " + p[1] + ")");
      hoverable(r, function () { return M.channelHtml(ch, n); }, "ch" + ch);
      if (layout.labelled.indexOf(ch) >= 0) label(p[0], p[1] - s - 3, c[3], "label channel-label");
    });

    // labels of the strongest partners, pushed outwards where they would overlap
    var levels = {}, placed = [];
    partners.slice(0, TOP_LABELS).forEach(function (r) {
      var p = layout.countries[r[0]];
      if (!p) return;
      var a = Math.atan2(p[0], -p[1]);
      var taken = placed.filter(function (q) {
        var d = Math.abs(q.a - a) % (2 * Math.PI);
        return Math.min(d, 2 * Math.PI - d) < 0.08;
      }).map(function (q) { return q.level; });
      var level = 0;
      while (taken.indexOf(level) >= 0) level++;
      levels[r[0]] = level;
      placed.push({ a: a, level: level });
    });

    // country nodes (circles, coloured by region, sized by score)
    var shown = 0;
    partners.forEach(function (r, n) {
      var p = layout.countries[r[0]];
      if (!p) return;
      shown++;
      var c = model.countries[r[0]];
      var rad = 2.5 + 11 * Math.sqrt(maxScore > 0 ? r[1] / maxScore : 0);
      var node = el("circle", { cx: p[0], cy: p[1], r: rad, "class": "node country",
                                fill: model.colours.regions[c[2]] || model.colours.regions.Unassigned,
                                "data-id": c[0] }, gNodes);
      hoverable(node, function () { return M.countryHtml(r[0], rows[r[0]]); }, "c" + r[0]);
      if (n < TOP_LABELS) {
        var out = 1 + (rad + 6 + 14 * levels[r[0]]) / Math.hypot(p[0], p[1]);
        var t = label(p[0] * out, p[1] * out + 3, c[1], "label country-label");
        t.setAttribute("text-anchor", p[0] < -1 ? "end" : p[0] > 1 ? "start" : "middle");
      }
    });

    // Canada
    var can = el("circle", { cx: c0[0], cy: c0[1], r: 16, "class": "node canada", fill: model.colours.canada,
                             "data-id": model.canada }, gNodes);
    hoverable(can, function () {
      var k = slice.canada;
      var ranks = Object.keys(k.ranks).sort().map(function (m) {
        return M.esc(m.replace(/_/g, " ")) + " #" + k.ranks[m];
      }).join(" · ");
      return "<h3>Canada</h3><p>" + k.fora + " fora · " + k.agreements + " agreements · " + k.partners +
        " partner countries of " + k.countries + "</p><p>Canada's rank among all countries: " + ranks +
        "</p><p>Effective size (Burt) " + k.effective_size + " · constraint " + k.constraint + "</p>";
    }, "none");
    label(c0[0], c0[1] + 30, "Canada", "label canada-label");

    var visible = shown + chList.length + 1;
    var count = document.getElementById("visible-count");
    count.textContent = shown + " countries · " + chList.length + " channels";
    count.setAttribute("data-nodes", String(visible));
    svg.setAttribute("data-nodes", String(visible));
    M.subtitle(shown + " partner countries");
  }

  svg.addEventListener("click", function () { M.unpin(); });
  M.onChange(render);
  render();
})();
