/* mpdkg maps: shared code (inlined into every page; loads nothing). The page embeds its data as
   JSON in <script id="mpdkg-data">: countries, channels, links (channel -> country, with facts
   and sources) and one precomputed slice per pillar and year. */
"use strict";
var MPDKG = (function () {
  var model = JSON.parse(document.getElementById("mpdkg-data").textContent);
  var BASE = "https://w3id.org/mpdkg/";
  var pillarSel = document.getElementById("pillar");
  var yearSel = document.getElementById("year");
  var tooltip = document.getElementById("tooltip");
  var pinned = false;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function currentKey() {
    return pillarSel.value + ":" + yearSel.value;
  }

  function currentSlice() {
    return model.slices[currentKey()] || model.slices[model["default"]];
  }

  function pillarLabel(value) {
    for (var i = 0; i < model.pillars.length; i++) {
      var p = model.pillars[i];
      if (String(p[0] || "all") === String(value)) return p[0] ? "Pillar " + p[0] + ": " + p[1] : p[1];
    }
    return "";
  }

  function hex(c) {
    return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  }

  /* The same colour scale as mpdkg.maps_common.score_colour. */
  function scoreColour(score, max) {
    var scale = model.colours.scale;
    if (!(score > 0) || !(max > 0)) return model.colours.noChannel;
    var t = Math.sqrt(Math.min(score / max, 1)) * (scale.length - 1);
    var i = Math.min(Math.floor(t), scale.length - 2);
    var f = t - i;
    var a = hex(scale[i]), b = hex(scale[i + 1]);
    return "#" + a.map(function (x, k) {
      var v = Math.round(x + (b[k] - x) * f).toString(16);
      return v.length < 2 ? "0" + v : v;
    }).join("");
  }

  /* A channel's colour: the chosen pillar's, or (all pillars) the first pillar it serves. */
  function pillarColour(pillars) {
    var chosen = pillarSel.value;
    if (chosen !== "all" && pillars && pillars.indexOf(Number(chosen)) >= 0) {
      return model.colours.pillars[chosen] || model.colours.noPillar;
    }
    if (!pillars || !pillars.length) return model.colours.noPillar;
    return model.colours.pillars[String(pillars[0])] || model.colours.noPillar;
  }

  function span(begin, end) {
    if (begin == null && end == null) return "undated";
    return (begin == null ? "?" : begin) + "–" + (end == null ? "" : end);
  }

  function sourcesHtml(idxs) {
    if (!idxs.length) return "";
    return '<ul class="sources">' + idxs.map(function (i) {
      var s = model.sources[i];
      var title = esc(s[1] || s[0]);
      var link = s[3] ? '<a href="' + esc(s[3]) + '" target="_blank" rel="noopener noreferrer">' + title + "</a>" : title;
      return "<li>" + link + (s[2] ? " — " + esc(s[2]) : "") + (s[4] ? " (accessed " + esc(s[4]) + ")" : "") + "</li>";
    }).join("") + "</ul>";
  }

  function rowsByCountry(slice) {
    var out = {};
    slice.rows.forEach(function (r) { out[r[0]] = { score: r[1], rank: r[2], links: r[3] }; });
    return out;
  }

  function countryHtml(cIdx, row) {
    var c = model.countries[cIdx];
    var h = "<h3>" + esc(c[1]) + ' <span class="muted">' + esc(c[0]) + " · " + esc(c[2]) + "</span></h3>";
    if (c[0] === model.canada) return h + "<p>Canada: the centre of the map.</p>";
    if (!row) return h + "<p>Not in this view.</p>";
    h += "<p>Influence score <b>" + row.score + "</b> · rank " + row.rank + "</p>";
    if (!row.links.length) {
      return h + "<p>No channel to Canada recorded for this pillar and year; the score comes from the " +
        "country's place in the network of channels (ties to Canada's partners).</p>";
    }
    var byChannel = {};
    var order = [];
    row.links.forEach(function (li) {
      var l = model.links[li];
      if (!(l[1] in byChannel)) { byChannel[l[1]] = []; order.push(l[1]); }
      byChannel[l[1]].push(l);
    });
    order.sort(function (a, b) { return model.channels[a][2] < model.channels[b][2] ? -1 : 1; });
    h += "<p>" + order.length + " channel(s) to Canada:</p>" + '<ul class="channels">';
    order.forEach(function (chIdx) {
      var ch = model.channels[chIdx];
      var srcs = [];
      var facts = [];
      var rels = [];
      byChannel[chIdx].forEach(function (l) {
        rels.push(esc(l[2]) + " " + span(l[3], l[4]) + " · weight " + l[7]);
        l[5].forEach(function (f) { if (facts.indexOf(f) < 0) facts.push(f); });
        l[6].forEach(function (s) { if (srcs.indexOf(s) < 0) srcs.push(s); });
      });
      h += "<li><b>" + esc(ch[2]) + "</b> <span class=\"muted\">(" + esc(ch[1]) + ", " + esc(ch[4]) + ")</span><br>" +
        rels.join("; ") + '<br><span class="facts">facts: ' + facts.map(function (f) {
          return '<a href="' + esc(BASE + f) + '" target="_blank" rel="noopener noreferrer">' + esc(f) + "</a>";
        }).join(", ") + "</span>" + sourcesHtml(srcs) + "</li>";
    });
    return h + "</ul>";
  }

  function channelHtml(chIdx, partners) {
    var ch = model.channels[chIdx];
    return "<h3>" + esc(ch[2]) + "</h3><p class=\"muted\">" + esc(ch[1]) + " · " + esc(ch[4]) +
      " · pillars " + (ch[5].length ? ch[5].join(", ") : "none recorded") + "</p>" +
      "<p>Canada: " + esc(ch[7].join(", ")) + " · " + partners + " partner countr" + (partners === 1 ? "y" : "ies") +
      " in this view</p>" + '<span class="facts">fact: <a href="' + esc(BASE + ch[0]) +
      '" target="_blank" rel="noopener noreferrer">' + esc(ch[0]) + "</a></span>" + sourcesHtml(ch[6]);
  }

  function show(html, ev) {
    if (pinned) return;
    tooltip.innerHTML = html;
    tooltip.hidden = false;
    place(ev);
  }

  function place(ev) {
    if (!ev) return;
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = Math.max(8, ev.clientX - w - 14);
    if (y + h > window.innerHeight - 8) y = Math.max(8, window.innerHeight - h - 8);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }

  function hide() {
    if (!pinned) tooltip.hidden = true;
  }

  function pin(html, ev) {
    pinned = false;
    show(html, ev);
    pinned = true;
    tooltip.classList.add("pinned");
  }

  function unpin() {
    pinned = false;
    tooltip.classList.remove("pinned");
    tooltip.hidden = true;
  }

  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") unpin(); });

  function onChange(fn) {
    pillarSel.addEventListener("change", fn);
    yearSel.addEventListener("change", fn);
  }

  function subtitle(extra) {
    var el = document.getElementById("subtitle");
    var text = pillarLabel(pillarSel.value) + " · as of " + yearSel.value;
    if (model.region) text += " · " + model.region;
    el.textContent = text + (extra ? " · " + extra : "");
  }

  return {
    model: model, esc: esc, currentKey: currentKey, currentSlice: currentSlice, scoreColour: scoreColour,
    pillarColour: pillarColour, rowsByCountry: rowsByCountry, countryHtml: countryHtml, channelHtml: channelHtml,
    show: show, hide: hide, place: place, pin: pin, unpin: unpin, onChange: onChange, subtitle: subtitle,
    isPinned: function () { return pinned; }
  };
})();
