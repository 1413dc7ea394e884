/* shiproute map runtime: draws a routed dataset with Leaflet, lays out its panels so that
 * no data is hidden, places labels that never overlap, filters by time, mode, source and
 * carrier, and builds popups. It makes no network request; tile layers are fetched only
 * when the reader picks one. Dataset text is inserted as escaped text only. Defined once
 * per page, however many maps the page holds.
 *
 * The page data is described in maps/payload.py (TABLES): every table is an object of
 * named columns (data.legs.geom[i], data.sites.name[i], ...); text columns hold indices
 * into data.strings (-1: none). Styling numbers (colours, radii, the line-width scale,
 * tile layers) come from the data, never from here.
 *
 * The page runs in one of three modes (html[data-sr-mode]): "interactive" (default),
 * "static" (a clean picture for slides) and "print" (a page layout). */
(function () {
  "use strict";
  if (window.ShipRoute) {
    return;
  }
  var SCALE = 1e5;
  var DAY_MS = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MAX_LEGS_IN_POPUP = 20;
  var WIDE = 1000;            /* px: below this (or embedded) panels start collapsed */
  var MIN_FREE_SHARE = 0.45;  /* open panels only while this share of the map stays free */
  var ZOOM_COST = 0.3;        /* ... and the data fits at (nearly) the same zoom */
  var FIT_MARGIN = 26;        /* px around the data inside the free part of the map */
  var FILLS = ["#f1ede2", "#ebe6d7", "#f4f0e3", "#e7e2d2", "#efeadc"];
  var SEA = "#cfe3f3";
  var PANEL_ORDER = ["filters", "claims", "legend"];  /* collapsed first when room is short */
  var LABEL_GAP = 2;          /* px kept clear around every label */
  var POPUP_ROOM = [340, 220];  /* px a popup needs clear of panels */
  var LEADER_RINGS = [3, 16, 30]; /* px from a marker's edge: beside it, then with a leader */
  var HIT_WIDTH = 14;         /* px: the invisible band that takes clicks on a leg line */
  var CANVAS_LEGS = 2000;     /* from this many legs on, legs, arrows and sites go on a canvas */
  var HIT_TOLERANCE = 5;      /* px beyond a canvas line's half-width that still take clicks */
  /* Chromium strokes canvas lines wider than 1 px in software, at about 3 us a line point
   * (1-px lines: a tenth of that): from this many stroked points on (about 0.1 s of full
   * repaint, which with a re-filter of up to 0.07 s keeps a move under 0.2 s), a slider
   * drag or Play draws a draft of 1-px lines without arrows, and the full picture once the
   * slider rests for SETTLE_MS or is let go. */
  var DRAFT_POINTS = 30000;
  var SETTLE_MS = 200;

  /* --- small helpers ------------------------------------------------------ */

  function esc(value) {
    return String(value).replace(/[&<>"'`$\\]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }

  /* The encoded polyline format (1e-5 degrees by default), as [lat, lon] pairs. */
  function decode(text, scale) {
    var out = [], value = 0, shift = 0, lat = 0, lon = 0, odd = false;
    scale = scale || SCALE;
    for (var i = 0; i < text.length; i++) {
      var chunk = text.charCodeAt(i) - 63;
      value |= (chunk & 0x1f) << shift;
      shift += 5;
      if (chunk < 0x20) {
        var delta = value & 1 ? ~(value >> 1) : value >> 1;
        value = 0;
        shift = 0;
        if (odd) {
          lon += delta;
          out.push([lat / scale, lon / scale]);
        } else {
          lat += delta;
        }
        odd = !odd;
      }
    }
    return out;
  }

  function dayLabel(day) {
    var d = new Date(day * DAY_MS);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  function widthOf(scale, volume, top) {  /* maps/style.py WidthScale.width */
    if (!(volume > 0)) { return scale.unknown; }
    var share = Math.log10(1 + volume) / Math.log10(1 + Math.max(top, volume, 1));
    return scale.minimum + (scale.maximum - scale.minimum) * share;
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function box(left, top, width, height) {
    return {left: left, top: top, right: left + width, bottom: top + height};
  }

  function visible(el) {
    return !!(el && el.offsetParent !== null && el.offsetWidth > 0);
  }

  /* --- reading the data ---------------------------------------------------- */

  function readData(element) {
    var data = JSON.parse(element.textContent);
    data.str = function (i) { return i === null || i < 0 ? "" : data.strings[i]; };
    return data;
  }

  function dataBounds(ctx) {  /* the lines are decoded once, in drawLegs */
    var s = ctx.data.sites, bounds = L.latLngBounds([]);
    for (var i = 0; i < s.id.length; i++) { bounds.extend([s.lat[i], s.lon[i]]); }
    ctx.lines.forEach(function (entry) { bounds.extend(entry.line.getBounds()); });
    return bounds;
  }

  /* --- the offline basemap and online tiles ------------------------------- */

  function polygons(list, scale) {
    return list.map(function (rings) {
      return rings.map(function (ring) { return decode(ring, scale); });
    });
  }

  /* One scale of the basemap: country fills by class, then the borders. */
  function drawScale(map, part, pane) {
    part.fills.forEach(function (polys, i) {
      if (polys.length) {
        var fill = FILLS[i % FILLS.length];  /* a hairline of the fill colour closes seams */
        L.polygon(polygons(polys, part.scale), {pane: pane, interactive: false, weight: 0.7,
          color: fill, fillColor: fill, fillOpacity: 1, className: "sr-land"}).addTo(map);
      }
    });
    if (part.borders.length) {
      L.polyline(part.borders.map(function (b) { return decode(b, part.scale); }),
        {pane: pane, interactive: false, weight: 0.8, color: "#9a9382", dashArray: "4 3",
          className: "sr-border"}).addTo(map);
    }
  }

  /* The whole world at 1:110m around a box of 1:10m detail (the two meet at the box's
   * edges), and lakes over both. */
  function drawBasemap(map, base, options) {
    map.createPane("srBase").style.zIndex = 150;
    if (!options.detailOnly) { drawScale(map, base.world, "srBase"); }
    drawScale(map, base.detail, "srBase");
    if (base.lakes.polygons.length) {
      L.polygon(polygons(base.lakes.polygons, base.lakes.scale), {pane: "srBase",
        interactive: false, weight: 0.5, color: "#9cc3e0", fillColor: SEA, fillOpacity: 1,
        className: "sr-lake"}).addTo(map);
    }
  }

  function tileLayers(ctx) {
    var bases = {}, data = ctx.data;
    bases[data.tiles.offline + " only"] = L.layerGroup();
    data.tiles.online.forEach(function (t) {
      var options = {maxZoom: 18, attribution: t.attribution};
      if (t.subdomains) { options.subdomains = t.subdomains; }
      bases[t.label] = L.tileLayer(t.url, options);
    });
    var chosen = data.tiles["default"] === data.tiles.offline ? data.tiles.offline + " only"
      : data.tiles["default"];
    (bases[chosen] || bases[data.tiles.offline + " only"]).addTo(ctx.map);
    return bases;
  }

  /* --- labels that never overlap ------------------------------------------ */

  function Labels(map, pane, zIndex) {
    this.map = map;
    this.pane = map.createPane(pane);
    this.pane.style.zIndex = zIndex;
    this.pane.style.pointerEvents = "none";
    this.items = [];
  }

  Labels.prototype.add = function (item) {
    var el = L.DomUtil.create("div", item.cls, this.pane);
    el.textContent = item.text;
    item.el = el;
    item.w = 0;
    this.items.push(item);
    return item;
  };

  /* Candidate top-left corners for a label at point p, best first; candidates beyond the
   * first ring around a marker carry a leader line back to it. */
  Labels.prototype.candidates = function (item, p) {
    var w = item.w, h = item.h, r = item.radius || 0, out = [];
    if (item.anchor === "center") { return [[p.x - w / 2, p.y - h / 2]]; }
    if (item.anchor === "dot") {
      return [[p.x + 5, p.y - h / 2], [p.x - 5 - w, p.y - h / 2], [p.x - w / 2, p.y - h - 3]];
    }
    LEADER_RINGS.slice(0, item.leaders ? LEADER_RINGS.length : 1).forEach(function (ring, n) {
      var g = r + ring, d = r * 0.7 + ring;
      [[p.x + g, p.y - h / 2], [p.x - g - w, p.y - h / 2], [p.x + d, p.y - d - h],
        [p.x + d, p.y + d], [p.x - d - w, p.y - d - h], [p.x - d - w, p.y + d],
        [p.x - w / 2, p.y - g - h], [p.x - w / 2, p.y + g]].forEach(function (c) {
        out.push([c[0], c[1], n > 0]);
      });
    });
    return out;
  };

  /* A thin line from a marker's edge towards the label placed away from it. */
  Labels.prototype.leader = function (item, p, b, layerOrigin) {
    if (!item.line) {
      item.line = L.DomUtil.create("div", "sr-leader", this.pane);
    }
    var cx = Math.max(b.left, Math.min(p.x, b.right)), cy = Math.max(b.top, Math.min(p.y, b.bottom));
    var dx = cx - p.x, dy = cy - p.y, length = Math.sqrt(dx * dx + dy * dy);
    var r = item.radius || 0;
    var start = L.point(p.x + dx / length * r, p.y + dy / length * r);
    L.DomUtil.setPosition(item.line, start.add(layerOrigin));
    item.line.style.width = Math.max(0, length - r) + "px";
    item.line.style.transform += " rotate(" + Math.atan2(dy, dx) + "rad)";
    item.line.style.display = "block";
  };

  /* Place every label in priority order at the first candidate position that overlaps no
   * placed label, no marker and no obstacle (panels, in layer coordinates); hide the rest. */
  function placeLabels(map, layers, markers, obstacles) {
    var zoom = map.getZoom(), size = map.getSize();
    var view = box(0, 0, size.x, size.y);
    var taken = obstacles.slice();
    markers.forEach(function (m) {
      var p = map.latLngToContainerPoint(m.latlng);
      taken.push(box(p.x - m.radius, p.y - m.radius, 2 * m.radius, 2 * m.radius));
    });
    var items = [];
    layers.forEach(function (layer) { items = items.concat(layer.items); });
    items.sort(function (a, b) { return b.priority - a.priority; });
    /* measure every new label in one layout pass: all writes, then all reads */
    var fresh = items.filter(function (item) { return !item.w && item.show(zoom); });
    fresh.forEach(function (item) { item.el.style.display = "block"; });
    fresh.forEach(function (item) {
      var measured = item.el.getBoundingClientRect();
      item.w = Math.ceil(measured.width) + 1;
      item.h = Math.ceil(measured.height);
    });
    items.forEach(function (item) {
      var el = item.el, shown = false;
      if (item.show(zoom)) {
        var p = map.latLngToContainerPoint(item.latlng);
        var candidates = item.layer.candidates(item, p);
        for (var c = 0; c < candidates.length && !shown; c++) {
          var b = box(candidates[c][0], candidates[c][1], item.w, item.h);
          var padded = box(b.left - LABEL_GAP, b.top - LABEL_GAP, item.w + 2 * LABEL_GAP,
            item.h + 2 * LABEL_GAP);
          if (b.left < view.left || b.top < view.top || b.right > view.right ||
              b.bottom > view.bottom) { continue; }
          if (taken.some(function (t) { return overlaps(padded, t); })) { continue; }
          taken.push(b);
          L.DomUtil.setPosition(el, map.containerPointToLayerPoint([b.left, b.top]));
          if (candidates[c][2]) {
            item.layer.leader(item, p, b, map.containerPointToLayerPoint([0, 0]));
          } else if (item.line) {
            item.line.style.display = "none";
          }
          shown = true;
        }
      }
      el.style.display = shown ? "block" : "none";
      if (!shown && item.line) { item.line.style.display = "none"; }
      if (item.dot) { item.dot.style.display = shown ? "block" : "none"; }
    });
  }

  function mapLabels(ctx, layer) {
    var lab = ctx.data.basemap.labels, map = ctx.map;
    var countries = lab.countries, seas = lab.seas, cities = lab.cities, i;
    function metresPerPixel() {
      return 40075016 * Math.cos(map.getCenter().lat * Math.PI / 180) /
        Math.pow(2, map.getZoom() + 8);
    }
    for (i = 0; i < countries.name.length; i++) {
      (function (area) {
        layer.add({cls: "sr-maplabel sr-country", text: countries.name[i], latlng: [countries.lat[i], countries.lon[i]],
          anchor: "center", priority: 10 + Math.log10(1 + area), layer: layer,
          show: function (zoom) {
            var px = Math.sqrt(area) * 1000 / metresPerPixel();
            return zoom <= 7 && px > 70;
          }});
      }(countries.area[i]));
    }
    for (i = 0; i < seas.name.length; i++) {
      (function (rank) {
        layer.add({cls: "sr-maplabel sr-sea sr-rank" + rank, text: seas.name[i],
          latlng: [seas.lat[i], seas.lon[i]], anchor: "center", priority: 30 - rank * 5, layer: layer,
          show: function (zoom) {
            return rank === 1 ? zoom <= 5 : rank === 2 ? zoom >= 3 && zoom <= 9 : zoom >= 6;
          }});
      }(seas.rank[i]));
    }
    for (i = 0; i < cities.name.length; i++) {
      (function (pop, capital) {
        var item = layer.add({cls: "sr-maplabel sr-city", text: cities.name[i],
          latlng: [cities.lat[i], cities.lon[i]], anchor: "dot", priority: 20 + Math.log10(pop) / 2,
          layer: layer,
          show: function (zoom) {
            return (capital && zoom >= 3.5) || (pop >= 2e6 && zoom >= 5) ||
              (pop >= 5e5 && zoom >= 6.5) || zoom >= 8;
          }});
        item.dot = L.DomUtil.create("div", "sr-citydot", layer.pane);
        item.dot.style.display = "none";
        item.reposition = function () {
          L.DomUtil.setPosition(item.dot, map.latLngToLayerPoint(item.latlng));
        };
      }(cities.population[i], cities.capital[i]));
    }
  }

  /* --- popups ------------------------------------------------------------- */

  function cite(data, ids) {
    if (!ids.length) { return ""; }
    var src = data.sources;
    return "<ol class='sr-cites'>" + ids.map(function (i) {
      var title = esc(data.str(src.title[i]));
      if (src.url[i] >= 0) {
        title = "<a href='" + esc(data.str(src.url[i])) +
          "' target='_blank' rel='noopener noreferrer'>" + title + "</a>";
      }
      var bits = [title];
      if (src.publisher[i] >= 0) { bits.push(esc(data.str(src.publisher[i]))); }
      if (src.date[i] >= 0) { bits.push(esc(data.str(src.date[i]))); }
      if (src.reliability[i] >= 0) { bits.push("reliability " + esc(data.str(src.reliability[i]))); }
      return "<li>" + bits.join(", ") + "</li>";
    }).join("") + "</ol>";
  }

  function row(label, value) {
    return value ? "<tr><th>" + esc(label) + "</th><td>" + value + "</td></tr>" : "";
  }

  function sitePopup(ctx, i) {
    var data = ctx.data, s = data.sites, ev = data.events;
    var mine = [], shown = [];
    for (var e = 0; e < ev.site.length; e++) {
      if (ev.site[e] !== i) { continue; }
      mine.push(e);
      if (ctx.inWindow(ev.t0[e], ev.t1[e])) { shown.push(e); }
    }
    var html = "<div class='sr-popup'><b>" + esc(data.str(s.name[i])) + "</b> (" +
      esc(s.kind[i].replace("_", " ")) + ", " + esc(data.str(s.country[i])) + ")<br>" +
      s.lat[i].toFixed(4) + ", " + s.lon[i].toFixed(4);
    if (s.note[i] >= 0) { html += "<p>" + esc(data.str(s.note[i])) + "</p>"; }
    if (shown.length) {
      html += "<ul class='sr-events'>" + shown.map(function (e) {
        var said = ev.reported_as[e] >= 0 ? " <i>(the source says &ldquo;" +
          esc(data.str(ev.reported_as[e])) + "&rdquo;)</i>" : "";
        var inferred = ev.inferred[e] ? "<br><span class='sr-inferred'>Inferred: " +
          esc(data.str(ev.reasoning[e])) + "</span>" : "";
        return "<li><b>" + esc(data.str(ev.date[e])) + "</b>: " + esc(data.str(ev.what[e])) +
          said + inferred + cite(data, ev.sources[e]) + "</li>";
      }).join("") + "</ul>";
    }
    if (mine.length > shown.length) {
      html += "<p>" + (mine.length - shown.length) + " more outside the time window</p>";
    }
    return html + "</div>";
  }

  function legsPopup(ctx, gi) {
    var data = ctx.data, g = data.geoms, legs = data.legs, sites = data.sites;
    var entry = ctx.lines[gi];
    var list = entry.shown.length ? entry.shown : entry.legs;
    var html = "<div class='sr-popup'>";
    function end(site, said) {
      var name = esc(data.str(sites.name[site]));
      return said >= 0 ? name + " <i>(the source says &ldquo;" + esc(data.str(said)) +
        "&rdquo;)</i>" : name;
    }
    list.slice(0, MAX_LEGS_IN_POPUP).forEach(function (li) {
      html += "<div class='sr-leg-info'><b>" + end(legs.from[li], legs.from_as[li]) +
        " &rarr; " + end(legs.to[li], legs.to_as[li]) + "</b><table>" +
        row("Basis", legs.inferred[li] ? "<span class='sr-inferred'>inferred, not stated " +
          "by a source</span>: " + esc(data.str(legs.reasoning[li])) : "reported") +
        row("Mode", esc(data.modes[g.mode[gi]].name)) +
        row("Departs", esc(data.str(legs.depart[li]))) +
        row("Arrives", esc(data.str(legs.arrive[li]))) +
        row("Volume", esc(data.str(legs.volume[li]))) +
        row("Carrier", esc(data.str(legs.carrier[li]))) +
        row("Leg id", esc(data.str(legs.id[li]))) + "</table>" +
        (legs.note[li] >= 0 ? "<p>" + esc(data.str(legs.note[li])) + "</p>" : "") +
        cite(data, legs.sources[li]) + "</div>";
    });
    if (list.length > MAX_LEGS_IN_POPUP) {
      html += "<p>and " + (list.length - MAX_LEGS_IN_POPUP) + " more legs</p>";
    }
    html += "<table class='sr-route'>" +
      row("Distance", esc(g.km[gi].toLocaleString("en") + " km (" +  /* whole numbers */
        g.nm[gi].toLocaleString("en") + " nmi)")) +
      row("Route", esc(data.str(g.source[gi]))) + row("Rule", esc(data.str(g.rule[gi]))) +
      row("Countries", esc(data.str(g.countries[gi]))) +
      row("Flags", g.flags[gi].map(function (f) { return esc(data.str(f)); }).join("<br>")) +
      "</table>";
    return html + "</div>";
  }

  /* One popup per map, opened where the reader clicked and panned into the part of the
   * map that no panel covers, so a popup is never under a panel. */
  function openPopup(ctx, latlng, html) {
    var free = freeRect(ctx), size = ctx.map.getSize(), popup = ctx.popup;
    PANEL_ORDER.forEach(function (name) {  /* too little room: fold panels away first */
      var panel = ctx.panels[name];
      if (panel && !panel.classList.contains("sr-collapsed") &&
          (free.right - free.left < POPUP_ROOM[0] || free.bottom - free.top < POPUP_ROOM[1])) {
        setOpen(panel, false);
        free = freeRect(ctx);
      }
    });
    popup.options.autoPanPaddingTopLeft = L.point(free.left + 8, free.top + 8);
    popup.options.autoPanPaddingBottomRight = L.point(size.x - free.right + 8,
      size.y - free.bottom + 8);
    popup.options.maxWidth = Math.max(200, Math.min(440, free.right - free.left - 60));
    popup.options.maxHeight = Math.max(120, free.bottom - free.top - 60);
    popup.setLatLng(latlng).setContent(html).openOn(ctx.map);
  }

  /* --- sites, legs, links ------------------------------------------------- */

  /* Sites, their markers and labels. A label that does not fit beside its marker may sit
   * further out with a leader line if the site is the end of a leg (or in the inset). */
  function drawSites(ctx, map, labels, interactive, renderer) {
    var data = ctx.data, s = data.sites, markers = [], ends = {};
    data.legs.from.forEach(function (i) { ends[i] = true; });
    data.legs.to.forEach(function (i) { ends[i] = true; });
    if (!map.getPane("srSites")) { map.createPane("srSites").style.zIndex = 450; }
    for (var i = 0; i < s.id.length; i++) {
      var style = data.kinds[s.kind[i]];
      var marker = L.circleMarker([s.lat[i], s.lon[i]], {radius: style.radius, color: "#fff",
        weight: 2, fillColor: style.color, fillOpacity: 1, pane: "srSites", renderer: renderer,
        interactive: interactive, className: "sr-site sr-kind-" + s.kind[i]});
      if (interactive) {
        marker.on("click", (function (index) {
          return function (e) { openPopup(ctx, e.latlng, sitePopup(ctx, index)); };
        }(i)));
      }
      marker.addTo(map === ctx.map ? ctx.layers.sites : map);  /* the inset has no groups */
      markers.push({latlng: L.latLng(s.lat[i], s.lon[i]), radius: style.radius + 2});
      labels.add({cls: "sr-label", text: data.str(s.name[i]), latlng: L.latLng(s.lat[i], s.lon[i]),
        anchor: "marker", radius: style.radius + 1, priority: 1000 + s.weight[i], layer: labels,
        leaders: ends[i] || !interactive, show: function () { return true; }});
    }
    return markers;
  }

  /* Every direction arrow of a canvas map as one layer (Leaflet's cost per layer adds up
   * to seconds at tens of thousands of lines): a filled triangle of fixed pixel size at
   * each shown line's middle, turned to its heading. Each arrow is {latlng, heading,
   * color, shown}; redraw() after changing what is shown. */
  var CanvasArrows = L.Path.extend({
    initialize: function (arrows, options) {
      L.setOptions(this, options);
      this._arrows = arrows;
    },
    _project: function () {
      var map = this._map;
      this._arrows.forEach(function (a) { a.point = map.latLngToLayerPoint(a.latlng); });
      var b = L.bounds(this._arrows.map(function (a) { return a.point; }));
      this._pxBounds = L.bounds(b.min.subtract([7, 7]), b.max.add([7, 7]));
    },
    _update: function () {},
    _containsPoint: function () { return false; },
    _updatePath: function () {
      var c = this._renderer._ctx;
      if (!this._renderer._drawing || this._renderer.srDraft) { return; }
      c.globalAlpha = 1;
      this._arrows.forEach(function (a) {
        if (!a.shown) { return; }
        var p = a.point, turn = (a.heading - 90) * Math.PI / 180;
        var cos = Math.cos(turn), sin = Math.sin(turn);
        c.beginPath();  /* the triangle (-5,-4) (6,0) (-5,4), turned */
        c.moveTo(p.x - 5 * cos + 4 * sin, p.y - 5 * sin - 4 * cos);
        c.lineTo(p.x + 6 * cos, p.y + 6 * sin);
        c.lineTo(p.x - 5 * cos - 4 * sin, p.y - 5 * sin + 4 * cos);
        c.closePath();
        c.fillStyle = a.color;
        c.fill();
      });
    }
  });

  /* A leg line on the canvas. A hidden one (unstroked) stays on the map for its
   * projection, but its path is not even traced while the canvas redraws. While the
   * renderer draws a draft (srDraft), a shown line is stroked 1 px wide, solid, in its
   * colour and opacity; its width still decides where it takes clicks. */
  var CanvasLine = L.Polyline.extend({
    _updatePath: function () {
      if (!this.options.stroke) { return; }
      if (!this._renderer.srDraft) {
        L.Polyline.prototype._updatePath.call(this);
        return;
      }
      var c = this._renderer._ctx, parts = this._parts;
      if (!this._renderer._drawing || !parts.length) { return; }
      c.beginPath();
      for (var i = 0; i < parts.length; i++) {
        for (var j = 0; j < parts[i].length; j++) {
          c[j ? "lineTo" : "moveTo"](parts[i][j].x, parts[i][j].y);
        }
      }
      c.setLineDash([]);
      c.globalAlpha = this.options.opacity;
      c.lineWidth = 1;
      c.strokeStyle = this.options.color;
      c.lineCap = "butt";
      c.stroke();
    }
  });

  /* The line points the canvas strokes for the shown lines (clipped to the view and
   * simplified by Leaflet at the current zoom). */
  function strokedPoints(ctx) {
    var n = 0;
    ctx.lines.forEach(function (entry) {
      if (!entry.drawn) { return; }
      var parts = entry.line._parts;
      for (var i = 0; i < parts.length; i++) { n += parts[i].length; }
    });
    return n;
  }

  /* Ask for a redraw of the whole canvas in the next frame. */
  function repaintCanvas(renderer) {
    var whole = renderer._bounds;
    if (!renderer._map || !whole) { return; }
    renderer._redrawBounds = L.bounds(whole.min.clone(), whole.max.clone());
    renderer._redrawRequest = renderer._redrawRequest ||
      L.Util.requestAnimFrame(renderer._redraw, renderer);
  }

  function arrowMarker(ctx, arrow, color) {
    if (ctx.renderer) {
      return {latlng: L.latLng(arrow[0], arrow[1]), heading: arrow[2], color: color,
        shown: false};
    }
    return L.marker([arrow[0], arrow[1]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: "sr-arrow", iconSize: [14, 14],
        html: "<svg width='14' height='14' viewBox='-7 -7 14 14' style='transform:rotate(" +
          (arrow[2] - 90) + "deg)'><path d='M-5,-4 L6,0 L-5,4 Z' fill='" + color +
          "'/></svg>"})});
  }

  /* One line per distinct route. On a canvas the line itself takes clicks along its whole
   * length (the canvas tests clicks against the geometry, dashes or not); as SVG, dotted
   * and dashed strokes take clicks only on their dashes, so an invisible solid band over
   * each line takes them instead. */
  function drawLegs(ctx) {
    var data = ctx.data, g = data.geoms, canvas = !!ctx.renderer;
    var clickable = ctx.mode === "interactive";
    ctx.lines = g.path.map(function (pieces, gi) {
      var mode = data.modes[g.mode[gi]];
      var points = pieces.map(function (piece) { return decode(piece); });
      var line = new (canvas ? CanvasLine : L.Polyline)(points, {color: mode.color, weight: 2,
        opacity: 0.9,
        className: "sr-leg sr-mode-" + mode.name, interactive: canvas && clickable,
        renderer: ctx.renderer});
      var hit = null;
      if (clickable && !canvas) {
        hit = L.polyline(points, {weight: HIT_WIDTH, opacity: 0, lineCap: "round",
          className: "sr-hit sr-mode-" + mode.name});
      }
      if (clickable) {
        (hit || line).on("click", function (e) { openPopup(ctx, e.latlng, legsPopup(ctx, gi)); });
      }
      if (canvas) { ctx.layers.legs.addLayer(line); }  /* for good: apply() shows, hides */
      return {line: line, hit: hit, arrow: arrowMarker(ctx, g.arrow[gi], mode.color),
        pieces: points, legs: [], shown: [], drawn: false, style: ""};
    });
    if (canvas && ctx.lines.length) {
      ctx.arrows = new CanvasArrows(ctx.lines.map(function (entry) { return entry.arrow; }),
        {renderer: ctx.renderer, interactive: false});
      ctx.layers.arrows.addLayer(ctx.arrows);
    }
    data.legs.geom.forEach(function (gi, li) { ctx.lines[gi].legs.push(li); });
    data.connectors.forEach(function (c) {
      L.polyline(decode(c), {className: "sr-connector", weight: 2, color: "#555",
        dashArray: "2 4", interactive: false}).addTo(ctx.layers.links);
    });
  }

  /* How a line looks for the legs shown on it: width per unit (never summed across
   * units, nor shipments with totals), dashed when no leg is dated to the day, pale when no leg states a volume. */
  function lineStyle(ctx, entry) {
    var legs = ctx.data.legs, units = ctx.data.units, sums = {}, fuzzy = true, stated = false;
    var inferred = true;
    entry.shown.forEach(function (li) {
      if (!legs.fuzzy[li]) { fuzzy = false; }
      if (!legs.inferred[li]) { inferred = false; }
      if (legs.unit[li] >= 0) {
        stated = true;
        var key = 2 * legs.unit[li] + (legs.total[li] ? 1 : 0);  /* totals apart */
        sums[key] = (sums[key] || 0) + legs.amount[li];
      }
    });
    var width = ctx.data.widths.unknown;
    Object.keys(sums).forEach(function (key) {
      var top = units[Math.floor(key / 2)].top;
      width = Math.max(width, widthOf(ctx.data.widths, sums[key], top));
    });
    if (inferred) {  /* dots: no source states these legs */
      return {stroke: true, weight: width, opacity: stated ? 0.9 : 0.55, lineCap: "round",
        dashArray: "0.1 " + Math.round(width * 1.6 + 4)};
    }
    /* butt ends and dashes scaled to the width, so round caps can't close the gaps */
    return {stroke: true, weight: width, opacity: stated ? 0.9 : 0.55,
      lineCap: fuzzy ? "butt" : "round",
      dashArray: fuzzy ? Math.round(width * 2.2 + 3) + " " + Math.round(width * 1.2 + 3) : null};
  }

  /* --- filters and the time window --------------------------------------- */

  /* Whether a leg passes the mode, carrier and source filters, the time window apart. */
  function legPasses(ctx, li) {
    var legs = ctx.data.legs, state = ctx.state;
    if (!state.modes[ctx.data.geoms.mode[legs.geom[li]]] || !state.carriers[legs.carrier[li]]) {
      return false;
    }
    var cited = legs.sources[li];
    return !cited.length || cited.some(function (s) { return state.sources[s]; });
  }

  /* Show or hide a line. As SVG it leaves the map (so the page holds only what is shown);
   * on a canvas it stays, unstroked and taking no clicks, so showing it again costs no new
   * projection of its points. */
  function setDrawn(ctx, entry, on) {
    if (ctx.renderer) {
      entry.line.options.interactive = on && ctx.mode === "interactive";
      entry.arrow.shown = on;
      if (!on) { entry.line.setStyle({stroke: false}); }
    } else if (on) {
      ctx.layers.legs.addLayer(entry.line);
      if (entry.hit) { ctx.layers.legs.addLayer(entry.hit); }
      ctx.layers.arrows.addLayer(entry.arrow);
    } else {
      ctx.layers.legs.removeLayer(entry.line);
      if (entry.hit) { ctx.layers.legs.removeLayer(entry.hit); }
      ctx.layers.arrows.removeLayer(entry.arrow);
    }
    entry.drawn = on;
  }

  /* Re-filter: group the shown legs by line, then restyle only the lines whose look
   * changed and show or hide only those whose state changed. Which legs pass the filters
   * is kept until a filter changes (ctx.passes = null), so the time window, which moves
   * far more often, costs only a test of dates per leg. */
  function apply(ctx) {
    var legs = ctx.data.legs, count = 0, turned = false;
    if (!ctx.passes) {
      ctx.passes = legs.geom.map(function (gi, li) { return legPasses(ctx, li); });
    }
    ctx.lines.forEach(function (entry) { entry.shown.length = 0; });
    for (var li = 0; li < legs.geom.length; li++) {
      if (ctx.passes[li] && ctx.inWindow(legs.t0[li], legs.t1[li])) {
        ctx.lines[legs.geom[li]].shown.push(li);
        count += 1;
      }
    }
    ctx.lines.forEach(function (entry) {
      var on = entry.shown.length > 0;
      if (on) {
        var style = lineStyle(ctx, entry);
        var key = [style.weight, style.opacity, style.lineCap, style.dashArray].join(" ");
        if (key !== entry.style || !entry.drawn) { entry.line.setStyle(style); }
        entry.style = key;
      }
      if (on !== entry.drawn) {
        setDrawn(ctx, entry, on);
        turned = true;
      }
    });
    if (turned && ctx.arrows) { ctx.arrows.setStyle({}); }  /* a repaint, not a projection */
    var counter = ctx.root.querySelector(".sr-count");
    if (counter) { counter.textContent = count + " of " + legs.geom.length + " legs shown"; }
    moveChartMarker(ctx);
  }

  function moveChartMarker(ctx) {
    var now = ctx.root.querySelector(".sr-now");
    if (!now || ctx.state.w1 === null) { return; }
    var d = now.dataset;
    var x = +d.left + (ctx.state.w1 - d.first) / d.span * d.width;
    x = Math.max(+d.left, Math.min(x, +d.left + +d.width));
    now.setAttribute("x1", x);
    now.setAttribute("x2", x);
  }

  function wireFilters(ctx) {
    ctx.root.querySelectorAll("input[data-filter]").forEach(function (input) {
      ctx.state[input.dataset.filter][input.value] = input.checked;
      input.addEventListener("change", function () {
        ctx.state[input.dataset.filter][input.value] = input.checked;
        ctx.passes = null;
        apply(ctx);
      });
    });
  }

  function wireTimeWindow(ctx) {
    var root = ctx.root, days = ctx.data.days;
    var start = root.querySelector(".sr-start");
    var end = root.querySelector(".sr-end");
    var label = root.querySelector(".sr-window");
    var play = root.querySelector(".sr-play");
    if (!days || !start) {
      apply(ctx);
      return;
    }
    function readWindow() {
      var a = +start.value, b = +end.value;
      ctx.state.w0 = Math.min(a, b);
      ctx.state.w1 = Math.max(a, b);
      label.textContent = dayLabel(ctx.state.w0) + " \u2013 " + dayLabel(ctx.state.w1);
      apply(ctx);
    }
    /* On a canvas with many line points, a move of the reader's draws a draft (see
     * DRAFT_POINTS) until the slider rests or is let go (settle). A draft, once begun,
     * lasts until then, so that a drag never mixes the two pictures. */
    var renderer = ctx.renderer, resting = null;
    function settle() {
      clearTimeout(resting);
      resting = null;
      if (renderer && renderer.srDraft) {
        renderer.srDraft = false;
        repaintCanvas(renderer);
      }
    }
    function drafted(rests) {
      if (!renderer || (!renderer.srDraft && strokedPoints(ctx) < DRAFT_POINTS)) { return; }
      if (!renderer.srDraft) {
        renderer.srDraft = true;
        repaintCanvas(renderer);
      }
      clearTimeout(resting);
      resting = rests ? setTimeout(settle, SETTLE_MS) : null;
    }
    /* A drag sends input events faster than a big map repaints: the first is handled at
     * once, the rest until the next frame are folded into one re-filter in that frame, so
     * a drag never queues re-filters and repaints behind the pointer. */
    var frame = null, pending = false;
    function onInput() {
      if (frame !== null) {
        pending = true;
        return;
      }
      readWindow();
      drafted(true);
      frame = requestAnimationFrame(function () {
        frame = null;
        if (pending) {
          pending = false;
          onInput();
        }
      });
    }
    function letGo() {  /* the slider let go (or a key's step): a move still folded in
                           * waits for no frame, and the full picture follows at once */
      if (pending) {
        pending = false;
        readWindow();
      }
      settle();
    }
    [start, end].forEach(function (input) {
      input.min = days[0];
      input.max = days[1];
      input.addEventListener("input", onInput);
      input.addEventListener("change", letGo);
    });
    start.value = days[0];
    end.value = days[1];
    var timer = null;
    play.addEventListener("click", function () {
      if (timer) {
        clearInterval(timer);
        timer = null;
        play.textContent = "\u25B6 Play";
        settle();
        return;
      }
      if (+end.value >= days[1]) { end.value = start.value; }
      var step = Math.max(1, Math.round((days[1] - days[0]) / 100));
      play.textContent = "\u275A\u275A Pause";
      timer = setInterval(function () {
        end.value = Math.min(+end.value + step, days[1]);
        readWindow();
        drafted(false);  /* drawn in full when Play stops */
        if (+end.value >= days[1]) { play.click(); }
      }, 100);
    });
    readWindow();
  }

  /* --- panels: corners, collapsing, and the free part of the map ---------- */

  function setOpen(section, open) {
    section.classList.toggle("sr-collapsed", !open);
    section.querySelector(".sr-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  }

  function placePanels(ctx) {
    var Panel = L.Control.extend({
      onAdd: function () {
        L.DomEvent.disableClickPropagation(this.options.element);
        L.DomEvent.disableScrollPropagation(this.options.element);
        return this.options.element;
      }
    });
    ctx.panels = {};
    var below = null;
    if (ctx.mode === "print") {  /* on paper the legend and the claims go under the map */
      below = L.DomUtil.create("div", "sr-print-panels");
      (ctx.root.querySelector(".sr-time") || ctx.root.querySelector(".sr-body"))
        .insertAdjacentElement("afterend", below);
    }
    ctx.root.querySelectorAll(".sr-panel").forEach(function (section) {
      var name = section.dataset.panel;
      if (below && name !== "filters") {
        below.appendChild(section);
        setOpen(section, true);
        return;
      }
      ctx.panels[name] = section;
      new Panel({position: section.dataset.corner, element: section}).addTo(ctx.map);
      section.querySelector(".sr-toggle").addEventListener("click", function () {
        setOpen(section, section.classList.contains("sr-collapsed"));
        ctx.userMoved = true;
        ctx.relabel();
      });
    });
  }

  /* The rectangles of the map covered by controls and panels, in container pixels, each
   * with the corner it hangs from. */
  function obstacles(ctx) {
    var origin = ctx.map.getContainer().getBoundingClientRect(), out = [];
    ctx.map.getContainer().querySelectorAll(".leaflet-control").forEach(function (el) {
      if (!visible(el)) { return; }
      var r = el.getBoundingClientRect(), corner = el.parentNode.className;
      out.push({left: r.left - origin.left, top: r.top - origin.top,
        right: r.right - origin.left, bottom: r.bottom - origin.top,
        atLeft: corner.indexOf("leaflet-left") >= 0, atTop: corner.indexOf("leaflet-top") >= 0});
    });
    return out;
  }

  /* The largest rectangle of the map that no control covers: each control is cleared
   * either sideways or up/down from its corner, whichever leaves more room. */
  function freeRect(ctx) {
    var size = ctx.map.getSize(), rects = obstacles(ctx), best = null;
    for (var mask = 0; mask < (1 << rects.length); mask++) {
      var f = {left: 0, top: 0, right: size.x, bottom: size.y};
      rects.forEach(function (r, i) {
        var sideways = (mask >> i) & 1;
        if (sideways && r.atLeft) { f.left = Math.max(f.left, r.right); }
        if (sideways && !r.atLeft) { f.right = Math.min(f.right, r.left); }
        if (!sideways && r.atTop) { f.top = Math.max(f.top, r.bottom); }
        if (!sideways && !r.atTop) { f.bottom = Math.min(f.bottom, r.top); }
      });
      f.area = Math.max(0, f.right - f.left) * Math.max(0, f.bottom - f.top);
      if (!best || f.area > best.area) { best = f; }
    }
    best.share = best.area / Math.max(1, size.x * size.y);
    return best;
  }

  /* The zoom at which the data fits into the part of the map no control covers. */
  function fitZoom(ctx) {
    var free = freeRect(ctx), size = ctx.map.getSize();
    var padding = L.point(size.x - (free.right - free.left) + 2 * FIT_MARGIN,
      size.y - (free.bottom - free.top) + 2 * FIT_MARGIN);
    return ctx.map.getBoundsZoom(ctx.bounds, false, padding);
  }

  /* Panels start collapsed when the map is narrow or embedded. Where it is wide, each
   * opens (legend first) only if the data still fits at the same zoom beside it. */
  function openPanelsWhereRoomy(ctx) {
    var size = ctx.map.getSize(), panels = ctx.panels;
    Object.keys(panels).forEach(function (name) { setOpen(panels[name], false); });
    if (ctx.mode === "static") {
      if (panels.legend) { setOpen(panels.legend, true); }
      return;
    }
    if (ctx.mode !== "interactive") { return; }
    if (ctx.root.dataset.embedded === "1" || size.x < WIDE) { return; }
    var best = fitZoom(ctx);
    PANEL_ORDER.slice().reverse().forEach(function (name) {
      if (!panels[name]) { return; }
      setOpen(panels[name], true);
      if (fitZoom(ctx) < best - ZOOM_COST || freeRect(ctx).share < MIN_FREE_SHARE) {
        setOpen(panels[name], false);
      }
    });
  }

  function fitTo(ctx, bounds, animate) {
    var free = freeRect(ctx), size = ctx.map.getSize();
    ctx.map.fitBounds(bounds, {
      paddingTopLeft: [free.left + FIT_MARGIN, free.top + FIT_MARGIN],
      paddingBottomRight: [size.x - free.right + FIT_MARGIN, size.y - free.bottom + FIT_MARGIN],
      maxZoom: 9, animate: !!animate});
  }

  /* --- views of distant clusters, and the inset --------------------------- */

  function viewBounds(view) {
    return L.latLngBounds([view.bounds[0], view.bounds[1]], [view.bounds[2], view.bounds[3]]);
  }

  function drawViews(ctx) {
    var views = ctx.data.views;
    if (!views.length || ctx.mode !== "interactive") { return; }
    var bar = L.DomUtil.create("div", "sr-views");
    var all = [{name: "Overview", bounds: null}].concat(views);
    all.forEach(function (view) {
      var button = L.DomUtil.create("button", "sr-view", bar);
      button.type = "button";
      button.textContent = view.name;
      button.addEventListener("click", function () {
        ctx.userMoved = true;
        fitTo(ctx, view.bounds ? viewBounds(view) : ctx.bounds, true);
      });
    });
    var Bar = L.Control.extend({onAdd: function () {
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    }});
    new Bar({position: "topleft"}).addTo(ctx.map);
  }

  /* A locator inset of the densest cluster, when at the overview it is only a few pixels
   * across and the map has room for it. */
  function drawInset(ctx) {
    var view = ctx.data.views[0], map = ctx.map, size = map.getSize();
    if (!view || view.sites.length < 3 || size.x < 700 || size.y < 380) { return; }
    var b = viewBounds(view), zoom = fitZoom(ctx);
    var sw = map.project(b.getSouthWest(), zoom), ne = map.project(b.getNorthEast(), zoom);
    if (Math.max(Math.abs(ne.x - sw.x), Math.abs(sw.y - ne.y)) > 90) { return; }
    var wrap = L.DomUtil.create("div", "sr-inset-wrap");
    var caption = L.DomUtil.create("div", "sr-inset-caption", wrap);
    caption.textContent = view.name;
    var holder = L.DomUtil.create("div", "sr-inset", wrap);
    var wide = size.x >= 1200 && size.y >= 700;
    holder.style.width = (wide ? 250 : 190) + "px";
    holder.style.height = (wide ? 180 : 135) + "px";
    var Inset = L.Control.extend({onAdd: function () {
      L.DomEvent.disableClickPropagation(wrap);
      L.DomEvent.disableScrollPropagation(wrap);
      return wrap;
    }});
    new Inset({position: "topleft"}).addTo(map);
    var inset = L.map(holder, {zoomControl: false, attributionControl: false, dragging: false,
      scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false,
      touchZoom: false, zoomSnap: 0.25, fadeAnimation: false, zoomAnimation: false,
      preferCanvas: !!ctx.renderer});
    drawBasemap(inset, ctx.data.basemap, {detailOnly: true});
    var near = b.pad(0.5), byColor = {};  /* one line per colour, of every piece near */
    ctx.lines.forEach(function (entry) {
      var color = entry.line.options.color;
      if (near.intersects(entry.line.getBounds())) {
        byColor[color] = (byColor[color] || []);
        Array.prototype.push.apply(byColor[color], entry.pieces);
      }
    });
    Object.keys(byColor).forEach(function (color) {
      L.polyline(byColor[color], {color: color, weight: 3, opacity: 0.9, interactive: false,
        className: "sr-inset-leg"}).addTo(inset);
    });
    var labels = new Labels(inset, "srLabels", 640);
    var markers = drawSites(ctx, inset, labels, false);
    inset.fitBounds(b, {padding: [22, 22], animate: false});
    placeLabels(inset, [labels], markers, []);
    holder.addEventListener("click", function () {
      ctx.userMoved = true;
      fitTo(ctx, b, true);
    });
    L.rectangle(b.pad(0.15), {className: "sr-locator", fill: false, weight: 1.5, color: "#333",
      dashArray: "3 3", interactive: false}).addTo(map);
    ctx.inset = inset;
  }

  /* --- header, chart, fullscreen, print ------------------------------------ */

  function wireHeader(ctx) {
    var more = ctx.root.querySelector(".sr-more");
    var text = ctx.root.querySelector(".sr-subtitle-text");
    if (more && text && text.scrollWidth > text.clientWidth + 1) {
      more.hidden = false;
      more.addEventListener("click", function () {
        var open = ctx.root.classList.toggle("sr-subtitle-open");
        more.textContent = open ? "less" : "more";
        ctx.map.invalidateSize();
      });
    }
    var full = ctx.root.querySelector(".sr-fullscreen");
    if (full) {
      full.addEventListener("click", function () {
        if (document.fullscreenElement) { document.exitFullscreen(); } else { ctx.root.requestFullscreen(); }
      });
    }
  }

  function wireChart(ctx) {
    var tip = ctx.root.querySelector(".sr-tip");
    if (!tip) { return; }
    ctx.root.querySelectorAll(".sr-claim").forEach(function (point) {
      function show() {
        tip.textContent = point.getAttribute("data-tip");
        tip.style.display = "block";
      }
      function hide() { tip.style.display = "none"; }
      point.addEventListener("mouseenter", show);
      point.addEventListener("focus", show);
      point.addEventListener("mouseleave", hide);
      point.addEventListener("blur", hide);
    });
  }

  function wireResize(ctx) {
    var container = ctx.map.getContainer(), seen = "";
    var refit = function () {
      seen = container.clientWidth + "x" + container.clientHeight;
      ctx.map.invalidateSize({animate: false});
      if (!ctx.userMoved) { fitTo(ctx, ctx.bounds, false); }
      ctx.relabel();
    };
    if (window.ResizeObserver) {  /* its first report, of the size the map has, is no change */
      seen = container.clientWidth + "x" + container.clientHeight;
      new ResizeObserver(function () {
        if (container.clientWidth + "x" + container.clientHeight !== seen) { refit(); }
      }).observe(container);
    }
    document.addEventListener("fullscreenchange", refit);
    window.addEventListener("beforeprint", function () {
      var sources = ctx.root.querySelector(".sr-sources");
      if (sources) { sources.open = true; }
      refit();
    });
    /* the first view follows the map's size until the reader moves it */
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
      ctx.map.getContainer().addEventListener(name, function () { ctx.userMoved = true; },
        {passive: true});
    });
  }

  /* --- mount -------------------------------------------------------------- */

  /* A fragment pasted twice into one page repeats its ids: each mount call takes the first
   * copy not yet mounted, with the data script of the same copy. */
  function mount(rootId) {
    var roots = document.querySelectorAll('[id="' + CSS.escape(rootId) + '"]');
    var scripts = document.querySelectorAll('[id="' + CSS.escape(rootId + "-data") + '"]');
    for (var i = 0; i < roots.length; i++) {
      if (!roots[i].srMounted) {
        roots[i].srMounted = true;
        return mountRoot(roots[i], scripts[i]);
      }
    }
    return null;
  }

  function mountRoot(root, script) {
    var mode = document.documentElement.getAttribute("data-sr-mode") || "interactive";
    var data = readData(script);
    var map = L.map(root.querySelector(".sr-map"), {zoomSnap: 0.25, minZoom: 0,
      zoomControl: mode === "interactive", fadeAnimation: mode === "interactive",
      zoomAnimation: mode === "interactive"});
    map.createPane("srSites").style.zIndex = 450;
    /* many legs: one canvas for legs, sites and arrows, drawn in that order */
    var renderer = data.legs.geom.length >= CANVAS_LEGS ?
      L.canvas({pane: "srSites", tolerance: HIT_TOLERANCE}) : undefined;
    var ctx = {
      root: root, map: map, data: data, mode: mode, renderer: renderer, passes: null,
      state: {w0: null, w1: null, modes: {}, sources: {}, carriers: {}},
      layers: {legs: L.layerGroup(), sites: L.layerGroup(), arrows: L.layerGroup(),
        links: L.layerGroup()},
      popup: L.popup({autoPan: true, className: "sr-popup-box"})
    };
    root.setAttribute("data-mode", mode);
    ctx.inWindow = function (t0, t1) {
      var st = ctx.state;
      return t0 === null || st.w0 === null || (t0 <= st.w1 && st.w0 <= t1);
    };
    map.attributionControl.setPrefix("");
    map.attributionControl.addAttribution(data.attribution);
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    drawBasemap(map, data.basemap, {});
    var bases = tileLayers(ctx);
    if (mode === "interactive") {
      L.control.layers(bases, {"Sites": ctx.layers.sites, "Legs": ctx.layers.legs,
        "Direction arrows": ctx.layers.arrows, "Links to networks": ctx.layers.links},
        {collapsed: true}).addTo(map);
    }
    var mapLabelLayer = new Labels(map, "srMapLabels", 350);
    /* online tiles carry their own place names: ours give way while one is chosen */
    var offlineOnly = data.tiles.offline + " only";
    mapLabelLayer.pane.style.display = data.tiles["default"] === data.tiles.offline ? "" : "none";
    map.on("baselayerchange", function (e) {
      mapLabelLayer.pane.style.display = e.name === offlineOnly ? "" : "none";
    });
    var siteLabels = new Labels(map, "srLabels", 640);
    drawLegs(ctx);
    if (renderer) {  /* a group switched back on is drawn last: keep sites and arrows on top */
      map.on("overlayadd", function () {
        ctx.layers.sites.eachLayer(function (layer) { layer.bringToFront(); });
        ctx.layers.arrows.eachLayer(function (layer) { layer.bringToFront(); });
      });
    }
    var markers = drawSites(ctx, map, siteLabels, mode === "interactive", renderer);
    mapLabels(ctx, mapLabelLayer);
    placePanels(ctx);
    drawViews(ctx);
    wireFilters(ctx);
    wireTimeWindow(ctx);
    wireHeader(ctx);
    wireChart(ctx);
    ctx.relabel = function () {
      mapLabelLayer.items.forEach(function (item) { if (item.reposition) { item.reposition(); } });
      placeLabels(map, [siteLabels, mapLabelLayer], markers, obstacles(ctx));
    };
    ctx.bounds = dataBounds(ctx);
    if (!ctx.bounds.isValid()) { ctx.bounds = L.latLngBounds([[-50, -170], [70, 170]]); }
    Object.keys(ctx.panels).forEach(function (name) { setOpen(ctx.panels[name], false); });
    drawInset(ctx);  /* decided at the zoom the data would fit at; drawn before the fit */
    openPanelsWhereRoomy(ctx);
    fitTo(ctx, ctx.bounds, false);
    /* the data goes on the map once its view is set, so it is drawn once */
    Object.keys(ctx.layers).forEach(function (name) { ctx.layers[name].addTo(map); });
    map.on("zoomend moveend", ctx.relabel);
    ctx.relabel();
    wireResize(ctx);
    root.srMap = map;
    root.srContext = ctx;
    root.srReady = true;
    return map;
  }

  window.ShipRoute = {mount: mount, escape: esc};
}());
