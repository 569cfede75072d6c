/* mpdkg relationship map: Canada at the centre, its channels (fora and agreements) inside the
   ring, partner countries on the ring grouped by region. Positions are fixed (computed in
   Python); pillar and year decide what is drawn. Zoom and pan, search, focus on one country's
   ego network; labels are placed so that none overlaps another (more fit as you zoom in). */
"use strict";
(function () {
  var M = MPDKG, model = M.model, layout = model.layout;
  var NS = "http://www.w3.org/2000/svg";
  var svg = document.getElementById("network");
  var view = document.getElementById("viewport");
  var g = { regions: document.getElementById("regions"), edges: document.getElementById("edges"),
            nodes: document.getElementById("nodes"), labels: document.getElementById("labels") };
  var zoom = { k: 1, x: 0, y: 0 };
  var focus = null;  // {kind: "country"|"channel", idx}
  var drawn = { countries: [], channels: [], partners: {}, rows: {} };
  var candidates = [];  // labels to place: {x, y, r, text, cls, prio, key}

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); }

  /* --- zoom and pan --------------------------------------------------------------------- */
  function applyZoom() {
    view.setAttribute("transform", "translate(" + zoom.x + " " + zoom.y + ") scale(" + zoom.k + ")");
    svg.setAttribute("data-zoom", zoom.k.toFixed(3));
    scheduleLabels();
  }
  function svgPoint(ev) {
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.max(0.6, Math.min(12, zoom.k * factor));
    zoom.x = cx - (cx - zoom.x) * k / zoom.k;
    zoom.y = cy - (cy - zoom.y) * k / zoom.k;
    zoom.k = k;
    applyZoom();
  }
  function centreOn(x, y, k) {
    zoom.k = k; zoom.x = -x * k; zoom.y = -y * k;
    applyZoom();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = svgPoint(ev);
    zoomAt(Math.exp(-ev.deltaY * 0.0015), p.x, p.y);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, zx: zoom.x, zy: zoom.y, moved: false };
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var scale = 1120 / svg.getBoundingClientRect().width;
    var dx = (ev.clientX - drag.x) * scale, dy = (ev.clientY - drag.y) * scale;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) { zoom.x = drag.zx + dx; zoom.y = drag.zy + dy; applyZoom(); }
  });
  window.addEventListener("mouseup", function () { setTimeout(function () { drag = null; }, 0); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(1.5, 0, 0); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(1 / 1.5, 0, 0); });
  document.getElementById("zoom-reset").addEventListener("click", function () {
    zoom = { k: 1, x: 0, y: 0 }; setFocus(null); applyZoom();
  });

  /* --- labels that never overlap ---------------------------------------------------------- */
  var pending = false;
  function scheduleLabels() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; placeLabels(); });
  }
  function overlaps(b, boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var o = boxes[i];
      if (b.x0 < o.x1 && b.x1 > o.x0 && b.y0 < o.y1 && b.y1 > o.y0) return true;
    }
    return false;
  }
  function placeLabels() {
    clear(g.labels);
    var rect = svg.getBoundingClientRect();
    var pxPerUnit = rect.width / 1120 * zoom.k;  // screen pixels per layout unit
    var boxes = [];
    var sorted = candidates.slice().sort(function (a, b) { return b.prio - a.prio || (a.key < b.key ? -1 : 1); });
    sorted.forEach(function (c) {
      var px = c.cls === "canada-label" ? 15 : c.cls === "channel-label" ? 11.5 : 12.5;
      var sx = (c.x * zoom.k + zoom.x) * rect.width / 1120, sy = (c.y * zoom.k + zoom.y) * rect.width / 1120;
      var w = c.text.length * px * 0.62 + 4, h = px * 1.3, r = c.r * pxPerUnit + 3;
      var dirx = c.x === 0 && c.y === 0 ? 0 : c.x / Math.hypot(c.x, c.y);
      var options = [
        [dirx >= 0 ? r : -r - w, -h / 2],  // outwards, beside the node
        [-w / 2, -r - h], [-w / 2, r], [dirx >= 0 ? -r - w : r, -h / 2]
      ];
      for (var i = 0; i < options.length; i++) {
        var b = { x0: sx + options[i][0], y0: sy + options[i][1] };
        b.x1 = b.x0 + w; b.y1 = b.y0 + h;
        if (Math.abs(b.x0) > rect.width / 2 + 40 || Math.abs(b.y0) > rect.height / 2 + 40) continue;
        if (overlaps(b, boxes)) continue;
        boxes.push(b);
        var t = el("text", { x: ((b.x0 + 2) * 1120 / rect.width - zoom.x) / zoom.k,
                             y: ((b.y0 + h * 0.78) * 1120 / rect.width - zoom.y) / zoom.k,
                             "class": "label " + c.cls, "font-size": (px / pxPerUnit).toFixed(2),
                             "data-key": c.key }, g.labels);
        t.textContent = c.text;
        return;
      }
    });
    svg.setAttribute("data-labels", String(g.labels.childNodes.length));
  }

  /* --- drawing ---------------------------------------------------------------------------- */
  function hoverable(node, htmlFn, target, onClick) {
    node.addEventListener("mouseenter", function (ev) { M.show(htmlFn(false), ev); });
    node.addEventListener("mousemove", function (ev) { M.place(ev); });
    node.addEventListener("mouseleave", function () { M.hide(); });
    node.addEventListener("click", function (ev) {
      ev.stopPropagation();
      if (drag && drag.moved) return;
      onClick();
    });
    node.setAttribute("data-target", target);
  }

  function drawRegions() {
    clear(g.regions);
    (layout.regions || []).forEach(function (r, i) {
      var a0 = r[1], a1 = r[2], R0 = 395, R1 = 445;
      function pt(R, a) { return (R * Math.sin(a)).toFixed(1) + "," + (-R * Math.cos(a)).toFixed(1); }
      var large = a1 - a0 > Math.PI ? 1 : 0;
      el("path", { d: "M" + pt(R0, a0) + "A" + R0 + "," + R0 + " 0 " + large + " 1 " + pt(R0, a1) + "L" + pt(R1, a1) +
                   "A" + R1 + "," + R1 + " 0 " + large + " 0 " + pt(R1, a0) + "Z",
                   "class": "sector" + (i % 2 ? " odd" : ""), "data-region": r[0] }, g.regions);
      var mid = (a0 + a1) / 2, R = 535;
      var t = el("text", { x: (R * Math.sin(mid)).toFixed(1), y: (-R * Math.cos(mid) + 5).toFixed(1),
                           "class": "region-label", "text-anchor": Math.sin(mid) > 0.2 ? "start" : Math.sin(mid) < -0.2 ? "end" : "middle" },
                 g.regions);
      t.textContent = r[0];
    });
  }

  function inFocus(kind, idx, rowsLinks) {
    if (!focus) return true;
    if (focus.kind === kind && focus.idx === idx) return true;
    if (focus.kind === "country") {
      if (kind === "channel") return (drawn.partners[idx] || {})[focus.idx] === true;
      return false;
    }
    if (kind === "country") return (drawn.partners[focus.idx] || {})[idx] === true;
    return false;
  }

  function render() {
    var slice = M.currentSlice();
    var rows = M.rowsByCountry(slice);
    clear(g.edges); clear(g.nodes);
    candidates = [];
    var partners = {};  // chIdx -> {cIdx: true}
    slice.canadaChannels.forEach(function (ch) { partners[ch] = {}; });
    slice.rows.forEach(function (r) {
      r[3].forEach(function (li) {
        var l = model.links[li];
        (partners[l[1]] = partners[l[1]] || {})[l[0]] = true;
      });
    });
    drawn.partners = partners; drawn.rows = rows;
    if (focus && focus.kind === "country" && !rows[focus.idx]) focus = null;
    if (focus && focus.kind === "channel" && !partners[focus.idx]) focus = null;
    var chList = Object.keys(partners).map(Number).filter(function (ch) { return layout.channels[ch]; });
    var maxPartners = 1, maxScore = 0;
    chList.forEach(function (ch) { maxPartners = Math.max(maxPartners, Object.keys(partners[ch]).length); });
    slice.rows.forEach(function (r) { maxScore = Math.max(maxScore, r[1]); });
    var c0 = layout.canada;
    svg.classList.toggle("focused", !!focus);

    chList.forEach(function (ch) {
      var p = layout.channels[ch];
      var on = inFocus("channel", ch);
      el("line", { x1: c0[0], y1: c0[1], x2: p[0], y2: p[1], "class": "edge spoke" + (focus ? (on ? " on" : " off") : ""),
                   stroke: M.pillarColour(model.channels[ch][5]) }, g.edges);
      Object.keys(partners[ch]).sort().forEach(function (c) {
        var b = layout.countries[c];
        if (!b) return;
        var lit = focus && ((focus.kind === "country" && Number(c) === focus.idx) || (focus.kind === "channel" && focus.idx === ch));
        el("line", { x1: p[0], y1: p[1], x2: b[0], y2: b[1], "class": "edge" + (focus ? (lit ? " on" : " off") : ""),
                     stroke: M.pillarColour(model.channels[ch][5]), "data-k": "ch" + ch + " c" + c }, g.edges);
      });
    });

    chList.forEach(function (ch) {
      var p = layout.channels[ch], c = model.channels[ch];
      var n = Object.keys(partners[ch]).length;
      var s = 3.5 + 6.5 * Math.sqrt(n / maxPartners);
      var pil = M.channelPillar(c[5]), colour = M.pillarColour(c[5]);
      var on = inFocus("channel", ch);
      var node = el("path", { d: M.shapePath(pil, p[0], p[1], s),
                              "class": "node channel " + c[1] + (on ? "" : " faded"),
                              fill: c[1] === "forum" ? colour : "#ffffff", stroke: c[1] === "forum" ? "#ffffff" : colour,
                              "data-id": c[0], "data-pillar": String(pil), "data-kind": c[1] }, g.nodes);
      hoverable(node, function () {
        return M.channelHtml(ch, Object.keys(drawn.partners[ch] || {}).map(Number));
      }, "channel:" + c[0], function () { setFocus({ kind: "channel", idx: ch }); });
      if (on) candidates.push({ x: p[0], y: p[1], r: s, text: c[3], cls: "channel-label",
                                prio: (focus ? 500 : 0) + n, key: "ch" + ch });
    });

    var shown = 0;
    slice.rows.forEach(function (r) {
      var p = layout.countries[r[0]];
      if (!p) return;
      shown++;
      var c = model.countries[r[0]];
      var rad = 3 + 10 * Math.sqrt(maxScore > 0 ? r[1] / maxScore : 0);
      var on = inFocus("country", r[0]);
      var node = el("circle", { cx: p[0], cy: p[1], r: rad, "class": "node country" + (on ? "" : " faded"),
                                fill: model.colours.country, "data-id": c[0] }, g.nodes);
      hoverable(node, function (full) { return M.countryHtml(r[0], drawn.rows[r[0]], full); }, "country:" + c[0],
                function () { setFocus({ kind: "country", idx: r[0] }); });
      if (on) candidates.push({ x: p[0], y: p[1], r: rad, text: c[1], cls: "country-label",
                                prio: (focus ? 2000 : 100) + 1000 * (maxScore > 0 ? r[1] / maxScore : 0), key: "c" + r[0] });
    });

    var can = el("circle", { cx: c0[0], cy: c0[1], r: 16, "class": "node canada", fill: model.colours.canada,
                             "data-id": model.canada }, g.nodes);
    hoverable(can, function () {
      var k = M.currentSlice().canada;
      var ranks = Object.keys(k.ranks).sort().map(function (m) {
        return M.esc(m.replace(/_/g, " ")) + " #" + k.ranks[m];
      }).join(" · ");
      return "<h3>Canada</h3><p>" + k.fora + " fora · " + k.agreements + " agreements · " + k.partners +
        " partner countries of " + k.countries + " in " + M.year() + "</p><p>Canada's rank among all countries: " +
        ranks + "</p><p>Effective size (Burt) " + k.effective_size + " · constraint " + k.constraint + "</p>";
    }, "canada", function () { setFocus(null); });
    candidates.push({ x: c0[0], y: c0[1] + 6, r: 14, text: "Canada", cls: "canada-label", prio: 1e6, key: "CAN" });

    var count = document.getElementById("visible-count");
    count.textContent = shown + " partner countries · " + chList.length + " channels in " + M.year();
    count.setAttribute("data-countries", String(shown));
    count.setAttribute("data-channels", String(chList.length));
    svg.setAttribute("data-nodes", String(shown + chList.length + 1));
    M.subtitle(focus ? "focus: " + (focus.kind === "country" ? model.countries[focus.idx][1] : model.channels[focus.idx][2]) : "");
    placeLabels();
    M.refresh();
  }

  function setFocus(f) {
    focus = f;
    if (!f) M.unpin();
    else if (f.kind === "country") {
      M.pin("country:" + model.countries[f.idx][0], function () {
        return M.countryHtml(f.idx, drawn.rows[f.idx], true);
      });
    } else {
      M.pin("channel:" + model.channels[f.idx][0], function () {
        return M.channelHtml(f.idx, Object.keys(drawn.partners[f.idx] || {}).map(Number));
      });
    }
    render();
  }

  /* --- search ----------------------------------------------------------------------------- */
  var search = document.getElementById("search"), msg = document.getElementById("search-msg");
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) return null;
    var best = null;
    model.countries.forEach(function (c, i) {
      var names = [c[1].toLowerCase(), c[0].toLowerCase()];
      if (names.indexOf(q) >= 0) best = best || { kind: "country", idx: i };
    });
    model.channels.forEach(function (c, i) {
      if (!best && [c[2].toLowerCase(), c[3].toLowerCase(), c[0].toLowerCase()].indexOf(q) >= 0) best = { kind: "channel", idx: i };
    });
    if (best) return best;
    model.countries.forEach(function (c, i) { if (!best && c[1].toLowerCase().indexOf(q) >= 0) best = { kind: "country", idx: i }; });
    model.channels.forEach(function (c, i) { if (!best && c[2].toLowerCase().indexOf(q) >= 0) best = { kind: "channel", idx: i }; });
    return best;
  }
  function runSearch() {
    var hit = find(search.value);
    if (!hit) { msg.textContent = search.value.trim() ? "No country or channel named “" + search.value + "”." : ""; return; }
    var table = hit.kind === "country" ? layout.countries : layout.channels;
    var present = hit.kind === "country" ? !!drawn.rows[hit.idx] : !!drawn.partners[hit.idx];
    var name = hit.kind === "country" ? model.countries[hit.idx][1] : model.channels[hit.idx][2];
    if (!present || !table[hit.idx]) {
      msg.textContent = name + ": no channel to Canada in this pillar and year.";
      return;
    }
    msg.textContent = "Showing " + name + ".";
    var p = table[hit.idx];
    centreOn(p[0] * 0.6, p[1] * 0.6, 1.8);
    setFocus(hit);
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); runSearch(); } });

  /* --- legend icons drawn with the map's own shapes ----------------------------------------- */
  Array.prototype.forEach.call(document.querySelectorAll("#legend svg[data-shape]"), function (icon) {
    var p = Number(icon.getAttribute("data-shape")), kind = icon.getAttribute("data-kind");
    var colour = kind ? "#555555" : (model.colours.pillars[String(p)] || model.colours.noPillar);
    el("path", { d: M.shapePath(p, 0, 0, 5), fill: kind === "agreement" ? "#ffffff" : colour,
                 stroke: kind === "agreement" ? colour : "none", "stroke-width": 1.6 }, icon);
  });

  svg.addEventListener("click", function () { if (!(drag && drag.moved)) setFocus(null); });
  M.onChange(function (what) { if (what === "clear") setFocus(null); else render(); });
  window.addEventListener("resize", scheduleLabels);
  drawRegions();
  applyZoom();
  render();
})();
