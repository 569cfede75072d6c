/* mpdkg maps: shared code (inlined into every page; loads nothing). The page embeds its data as
   JSON in <script id="mpdkg-data">: countries, channels, links (channel -> country, with facts
   and sources) and one precomputed slice per pillar and year. */
"use strict";
var MPDKG = (function () {
  var model = JSON.parse(document.getElementById("mpdkg-data").textContent);
  var BASE = "https://w3id.org/mpdkg/";
  var pillarSel = document.getElementById("pillar");
  var yearInput = document.getElementById("year");
  var yearLabel = document.getElementById("year-label");
  var playBtn = document.getElementById("play");
  var tooltip = document.getElementById("tooltip");
  var details = document.getElementById("details");
  var pinned = null;  // {kind: "country"|"channel", idx}
  var listeners = [];
  var pages = {};
  (model.pages.countries || []).forEach(function (iso) { pages[iso] = true; });

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function year() { return Number(yearInput.value); }
  function pillar() { return pillarSel.value; }
  function currentKey() { return pillar() + ":" + year(); }
  function currentSlice() { return model.slices[currentKey()] || model.slices[model["default"]]; }

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

  /* The same colour scale as mpdkg.maps.common.score_colour. */
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

  /* The pillar a channel is drawn as: the chosen one, or (all pillars) the first it serves; 0: none. */
  function channelPillar(pillars) {
    var chosen = pillar();
    if (chosen !== "all" && pillars && pillars.indexOf(Number(chosen)) >= 0) return Number(chosen);
    return pillars && pillars.length ? pillars[0] : 0;
  }

  function pillarColour(pillars) {
    return model.colours.pillars[String(channelPillar(pillars))] || model.colours.noPillar;
  }

  /* An SVG path for a pillar's shape, centred on (x, y), about 2s across. */
  function shapePath(p, x, y, s) {
    function poly(n, r, rot) {
      var pts = [];
      for (var i = 0; i < n; i++) {
        var a = rot + i * 2 * Math.PI / n;
        pts.push((x + r * Math.sin(a)).toFixed(1) + "," + (y - r * Math.cos(a)).toFixed(1));
      }
      return "M" + pts.join("L") + "Z";
    }
    function star(r) {
      var pts = [];
      for (var i = 0; i < 10; i++) {
        var a = i * Math.PI / 5, q = i % 2 ? r * 0.45 : r;
        pts.push((x + q * Math.sin(a)).toFixed(1) + "," + (y - q * Math.cos(a)).toFixed(1));
      }
      return "M" + pts.join("L") + "Z";
    }
    switch (model.colours.shapes[String(p)] || "cross") {
      case "square": return poly(4, s * 1.25, Math.PI / 4);
      case "diamond": return poly(4, s * 1.35, 0);
      case "triangle": return poly(3, s * 1.45, 0);
      case "triangle-down": return poly(3, s * 1.45, Math.PI);
      case "hexagon": return poly(6, s * 1.15, 0);
      case "star": return star(s * 1.55);
      default:
        var w = s * 0.45;
        return "M" + (x - w) + "," + (y - s) + "H" + (x + w) + "V" + (y - w) + "H" + (x + s) + "V" + (y + w) +
          "H" + (x + w) + "V" + (y + s) + "H" + (x - w) + "V" + (y + w) + "H" + (x - s) + "V" + (y - w) +
          "H" + (x - w) + "Z";
    }
  }

  function span(begin, end) {
    if (begin == null && end == null) return "undated";
    if (end == null) return "since " + (begin == null ? "?" : begin);
    return (begin == null ? "?" : begin) + "–" + end;
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

  function countryPage(iso) {
    return pages[iso] ? model.pages.href + encodeURIComponent(iso) + ".html" : null;
  }

  function pageLink(iso) {
    var href = countryPage(iso);
    return href ? '<p><a class="country-page" href="' + esc(href) + '">Country page: channels over time, flows, visas, votes →</a></p>' : "";
  }

  /* A country's links grouped by the pillar each channel is drawn as, heaviest group first,
     heaviest channel first within a group. */
  function groupedLinks(links) {
    var groups = {};
    links.forEach(function (li) {
      var l = model.links[li];
      var p = channelPillar(model.channels[l[1]][5]);
      (groups[p] = groups[p] || { pillar: p, total: 0, links: [] }).links.push(l);
      groups[p].total += l[7];
    });
    var out = Object.keys(groups).map(function (k) { return groups[k]; });
    out.forEach(function (g) {
      g.links.sort(function (a, b) {
        return b[7] - a[7] || (model.channels[a[1]][2] < model.channels[b[1]][2] ? -1 : 1);
      });
    });
    out.sort(function (a, b) { return b.total - a.total || a.pillar - b.pillar; });
    return out;
  }

  function linkHtml(l, full) {
    var ch = model.channels[l[1]];
    var h = "<li><b>" + esc(ch[2]) + '</b> <span class="muted">' + esc(ch[1]) + " · " + esc(l[2]) +
      " · " + span(l[3], l[4]) + " · weight " + l[7] + "</span>";
    if (full) {
      h += '<br><span class="facts">facts: ' + l[5].map(function (f) {
        return '<a href="' + esc(BASE + f) + '" target="_blank" rel="noopener noreferrer">' + esc(f) + "</a>";
      }).join(", ") + "</span>" + sourcesHtml(l[6]);
    }
    return h + "</li>";
  }

  function countryHtml(cIdx, row, full) {
    var c = model.countries[cIdx];
    var h = "<h3>" + esc(c[1]) + ' <span class="muted">' + esc(c[0]) + " · " + esc(c[2]) + "</span></h3>";
    if (c[0] === model.canada) return h + "<p>Canada: the centre of the map.</p>";
    if (!row) {
      return h + "<p>No channel to Canada recorded for " + esc(pillarLabel(pillar()).toLowerCase()) + " in " + year() +
        ".</p>" + pageLink(c[0]);
    }
    var slice = currentSlice();
    h += '<p class="count-line"><b class="n-channels">' + row.links.length + "</b> channel" + (row.links.length === 1 ? "" : "s") +
      " with Canada in " + year() + " · influence score <b>" + row.score + "</b> · rank " + row.rank +
      (slice.ranked ? " of " + slice.ranked : "") + "</p>" + pageLink(c[0]);
    groupedLinks(row.links).forEach(function (g) {
      var label = g.pillar ? "Pillar " + g.pillar + ": " + (pillarName(g.pillar)) : "No pillar recorded";
      h += '<h4 class="pillar-group" data-pillar="' + g.pillar + '"><span class="dot" style="background:' +
        (model.colours.pillars[String(g.pillar)] || model.colours.noPillar) + '"></span>' + esc(label) +
        ' <span class="muted">(' + g.links.length + ")</span></h4><ul class=\"channels\">" +
        g.links.map(function (l) { return linkHtml(l, full); }).join("") + "</ul>";
    });
    return h;
  }

  function pillarName(n) {
    for (var i = 0; i < model.pillars.length; i++) if (model.pillars[i][0] === n) return model.pillars[i][1];
    return (model.pillarNames && model.pillarNames[String(n)]) || "";
  }

  function channelHtml(chIdx, partners) {
    var ch = model.channels[chIdx];
    var names = partners.map(function (c) { return model.countries[c][1]; }).sort();
    return "<h3>" + esc(ch[2]) + "</h3><p class=\"muted\">" + esc(ch[1]) + " · " + esc(ch[4]) +
      " · pillars " + (ch[5].length ? ch[5].join(", ") : "none recorded") + "</p>" +
      "<p>Canada: " + esc(ch[7].join(", ")) + " · <b>" + names.length + "</b> partner countr" +
      (names.length === 1 ? "y" : "ies") + " in " + year() + "</p>" +
      (names.length ? '<p class="partners">' + names.map(esc).join(", ") + "</p>" : "") +
      '<span class="facts">fact: <a href="' + esc(BASE + ch[0]) +
      '" target="_blank" rel="noopener noreferrer">' + esc(ch[0]) + "</a></span>" + sourcesHtml(ch[6]);
  }

  /* Hover: a floating tooltip that never covers the side panel (legend, details). */
  function show(html, ev) {
    tooltip.innerHTML = html;
    tooltip.hidden = false;
    place(ev);
  }

  function place(ev) {
    if (!ev) return;
    var side = document.querySelector(".side");
    var limit = side ? side.getBoundingClientRect().left - 8 : window.innerWidth - 8;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var x = ev.clientX + 16, y = ev.clientY + 16;
    if (x + w > limit) x = Math.max(8, ev.clientX - w - 16);
    if (y + h > window.innerHeight - 8) y = Math.max(8, window.innerHeight - h - 8);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }

  function hide() { tooltip.hidden = true; }

  /* Click: the details panel, re-rendered for the current pillar and year on every change. */
  function pin(target, htmlFn) {
    pinned = { target: target, html: htmlFn };
    hide();
    refresh();
  }

  function unpin() {
    pinned = null;
    if (details) { details.hidden = true; details.innerHTML = ""; details.removeAttribute("data-target"); }
  }

  function refresh() {
    if (!pinned || !details) return;
    details.innerHTML = '<button type="button" class="close" id="details-close" title="Close (Esc)">×</button>' +
      pinned.html();
    details.hidden = false;
    details.setAttribute("data-target", pinned.target);
    document.getElementById("details-close").addEventListener("click", function () { fire("clear"); });
  }

  function fire(what) { listeners.forEach(function (fn) { fn(what); }); }

  function subtitle(extra) {
    var el = document.getElementById("subtitle");
    var text = pillarLabel(pillar()) + " · " + year();
    if (model.region) text += " · " + model.region;
    el.textContent = text + (extra ? " · " + extra : "");
  }

  /* The year slider and its play button. */
  var timer = null;
  function setYear(y) {
    yearInput.value = String(y);
    yearLabel.textContent = String(y);
    fire("year");
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    if (playBtn) { playBtn.textContent = "▶ Play"; playBtn.classList.remove("playing"); }
  }
  function play() {
    if (timer) return stop();
    if (year() >= model.years[model.years.length - 1]) setYear(model.years[0]);
    playBtn.textContent = "❚❚ Pause";
    playBtn.classList.add("playing");
    timer = setInterval(function () {
      var next = year() + 1;
      if (next > model.years[model.years.length - 1]) return stop();
      setYear(next);
    }, Number(playBtn.getAttribute("data-interval") || 450));
  }
  yearInput.addEventListener("input", function () { yearLabel.textContent = yearInput.value; fire("year"); });
  pillarSel.addEventListener("change", function () { fire("pillar"); });
  if (playBtn) playBtn.addEventListener("click", play);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") fire("clear"); });

  function onChange(fn) { listeners.push(fn); }

  return {
    model: model, esc: esc, year: year, pillar: pillar, currentKey: currentKey, currentSlice: currentSlice,
    scoreColour: scoreColour, channelPillar: channelPillar, pillarColour: pillarColour, shapePath: shapePath,
    rowsByCountry: rowsByCountry, countryHtml: countryHtml, channelHtml: channelHtml, countryPage: countryPage,
    show: show, hide: hide, place: place, pin: pin, unpin: unpin, refresh: refresh, onChange: onChange,
    subtitle: subtitle, setYear: setYear, stop: stop, pinnedTarget: function () { return pinned && pinned.target; }
  };
})();
