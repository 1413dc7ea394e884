/* shiproute map runtime: draws a routed dataset with Leaflet, filters it by time,
 * mode, source and carrier, and builds popups. It makes no network request; tile
 * layers are fetched only when the reader picks one. Dataset text is inserted as
 * escaped text only. Defined once per page, however many maps the page holds.
 *
 * The page data is described in maps/payload.py (TABLES): every table is an
 * object of named columns (data.legs.geom[i], data.sites.name[i], ...); text
 * columns hold indices into data.strings (-1: none). Styling numbers (colours,
 * radii, the line-width scale, tile layers) come from the data, never from here. */
(function () {
  "use strict";
  if (window.ShipRoute) {
    return;
  }
  var SCALE = 1e5;
  var DAY_MS = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MAX_LEGS_IN_POPUP = 20;

  function esc(value) {
    return String(value).replace(/[&<>"'`$\\]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }

  function decode(text) {  /* the encoded polyline format, 1e-5 degrees */
    var out = [], values = [], value = 0, shift = 0, lat = 0, lon = 0;
    for (var i = 0; i < text.length; i++) {
      var chunk = text.charCodeAt(i) - 63;
      value |= (chunk & 0x1f) << shift;
      shift += 5;
      if (chunk < 0x20) {
        values.push(value & 1 ? ~(value >> 1) : value >> 1);
        value = 0;
        shift = 0;
        if (values.length === 2) {
          lat += values[0];
          lon += values[1];
          out.push([lat / SCALE, lon / SCALE]);
          values = [];
        }
      }
    }
    return out;
  }

  function dayLabel(day) {
    var d = new Date(day * DAY_MS);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  function widthOf(scale, volume) {  /* the formula of maps/style.py WidthScale.width */
    if (!(volume > 0)) { return scale.unknown; }
    return Math.min(scale.maximum, scale.base + scale.per_decade * Math.log10(1 + volume));
  }

  /* --- reading the data ------------------------------------------------- */

  function readData(rootId) {
    var data = JSON.parse(document.getElementById(rootId + "-data").textContent);
    data.str = function (i) { return i === null || i < 0 ? "" : data.strings[i]; };
    return data;
  }

  /* --- base layers -------------------------------------------------------- */

  function drawBasemap(ctx) {
    var data = ctx.data, bases = {};
    var offline = L.layerGroup();
    var land = data.basemap.land.map(function (rings) { return rings.map(decode); });
    if (land.length) {
      L.polygon(land, {className: "sr-land", interactive: false, weight: 0.6,
        color: "#a89f88", fillColor: "#f3f0e6", fillOpacity: 1}).addTo(offline);
    }
    if (data.basemap.borders.length) {
      L.polyline(data.basemap.borders.map(decode), {className: "sr-border", interactive: false,
        weight: 0.8, color: "#8c8c8c", dashArray: "4 3"}).addTo(offline);
    }
    bases[data.tiles.offline] = offline;
    data.tiles.online.forEach(function (t) {
      var options = {maxZoom: 18, attribution: t.attribution};
      if (t.subdomains) { options.subdomains = t.subdomains; }
      bases[t.label] = L.tileLayer(t.url, options);
    });
    (bases[data.tiles["default"]] || offline).addTo(ctx.map);
    return bases;
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
        return "<li><b>" + esc(data.str(ev.date[e])) + "</b>: " + esc(data.str(ev.what[e])) +
          cite(data, ev.sources[e]) + "</li>";
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
    list.slice(0, MAX_LEGS_IN_POPUP).forEach(function (li) {
      html += "<div class='sr-leg-info'><b>" + esc(data.str(sites.name[legs.from[li]])) +
        " &rarr; " + esc(data.str(sites.name[legs.to[li]])) + "</b><table>" +
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
      row("Distance", esc(g.km[gi].toLocaleString("en") + " km (" +
        Math.round(g.nm[gi]).toLocaleString("en") + " nmi)")) +
      row("Route", esc(data.str(g.source[gi]))) + row("Rule", esc(data.str(g.rule[gi]))) +
      row("Countries", esc(data.str(g.countries[gi]))) +
      row("Flags", g.flags[gi].map(function (f) { return esc(data.str(f)); }).join("<br>")) +
      "</table>";
    return html + "</div>";
  }

  /* --- sites, legs, links ------------------------------------------------- */

  function drawSites(ctx) {
    var data = ctx.data, s = data.sites;
    for (var i = 0; i < s.id.length; i++) {
      var style = data.kinds[s.kind[i]];
      var marker = L.circleMarker([s.lat[i], s.lon[i]], {radius: style.radius, color: "#fff",
        weight: 2, fillColor: style.color, fillOpacity: 0.95,
        className: "sr-site sr-kind-" + s.kind[i]});
      marker.bindTooltip(esc(data.str(s.name[i])), {permanent: true, direction: "right",
        className: "sr-label"});
      marker.bindPopup(sitePopup.bind(null, ctx, i), {maxWidth: 420});
      marker.addTo(ctx.layers.sites);
    }
  }

  function drawLegs(ctx) {
    var data = ctx.data, g = data.geoms;
    ctx.lines = g.path.map(function (path, gi) {
      var mode = data.modes[g.mode[gi]];
      var line = L.polyline(decode(path), {color: mode.color, weight: 2, opacity: 0.85,
        className: "sr-leg sr-mode-" + mode.name});
      line.bindPopup(function () { return legsPopup(ctx, gi); }, {maxWidth: 440, maxHeight: 420});
      var arrow = g.arrow[gi];
      var marker = L.marker([arrow[0], arrow[1]], {interactive: false, keyboard: false,
        icon: L.divIcon({className: "sr-arrow", iconSize: [14, 14],
          html: "<svg width='14' height='14' viewBox='-7 -7 14 14' style='transform:rotate(" +
            (arrow[2] - 90) + "deg)'><path d='M-5,-4 L6,0 L-5,4 Z' fill='" + mode.color +
            "'/></svg>"})});
      return {line: line, arrow: marker, legs: [], shown: [], volume: 0};
    });
    data.legs.geom.forEach(function (gi, li) { ctx.lines[gi].legs.push(li); });
    data.connectors.forEach(function (c) {
      L.polyline(decode(c), {className: "sr-connector", weight: 2, color: "#555",
        dashArray: "6 6", interactive: false}).addTo(ctx.layers.links);
    });
  }

  /* --- filters and the time window --------------------------------------- */

  function legShown(ctx, li) {
    var legs = ctx.data.legs, state = ctx.state;
    if (!state.modes[ctx.data.geoms.mode[legs.geom[li]]] || !state.carriers[legs.carrier[li]]) {
      return false;
    }
    var cited = legs.sources[li];
    if (cited.length && !cited.some(function (s) { return state.sources[s]; })) { return false; }
    return ctx.inWindow(legs.t0[li], legs.t1[li]);
  }

  function apply(ctx) {
    var legs = ctx.data.legs, count = 0;
    ctx.lines.forEach(function (entry) { entry.shown = []; entry.volume = 0; });
    for (var li = 0; li < legs.geom.length; li++) {
      if (!legShown(ctx, li)) { continue; }
      var entry = ctx.lines[legs.geom[li]];
      entry.shown.push(li);
      entry.volume += legs.amount[li];
      count += 1;
    }
    ctx.lines.forEach(function (entry) {
      var drawn = ctx.layers.legs.hasLayer(entry.line);
      if (entry.shown.length) {
        entry.line.setStyle({weight: widthOf(ctx.data.widths, entry.volume)});
        if (!drawn) {
          ctx.layers.legs.addLayer(entry.line);
          ctx.layers.arrows.addLayer(entry.arrow);
        }
      } else if (drawn) {
        ctx.layers.legs.removeLayer(entry.line);
        ctx.layers.arrows.removeLayer(entry.arrow);
      }
    });
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
    ctx.root.querySelectorAll("input[data-filter]").forEach(function (box) {
      ctx.state[box.dataset.filter][box.value] = box.checked;
      box.addEventListener("change", function () {
        ctx.state[box.dataset.filter][box.value] = box.checked;
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
    [start, end].forEach(function (input) {
      input.min = days[0];
      input.max = days[1];
      input.addEventListener("input", readWindow);
    });
    start.value = days[0];
    end.value = days[1];
    var timer = null;
    play.addEventListener("click", function () {
      if (timer) {
        clearInterval(timer);
        timer = null;
        play.textContent = "\u25B6 Play";
        return;
      }
      if (+end.value >= days[1]) { end.value = start.value; }
      var step = Math.max(1, Math.round((days[1] - days[0]) / 100));
      play.textContent = "\u275A\u275A Pause";
      timer = setInterval(function () {
        end.value = Math.min(+end.value + step, days[1]);
        readWindow();
        if (+end.value >= days[1]) { play.click(); }
      }, 100);
    });
    readWindow();
  }

  /* --- the view ------------------------------------------------------------ */

  function wireFullscreen(ctx) {
    var full = ctx.root.querySelector(".sr-fullscreen");
    if (!full) { return; }
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { ctx.root.requestFullscreen(); }
    });
    document.addEventListener("fullscreenchange", function () { ctx.map.invalidateSize(); });
  }

  function fitView(ctx) {
    var s = ctx.data.sites, points = [];
    for (var i = 0; i < s.id.length; i++) { points.push([s.lat[i], s.lon[i]]); }
    ctx.lines.forEach(function (entry) {
      var bounds = entry.line.getBounds();
      points.push(bounds.getNorthEast(), bounds.getSouthWest());
    });
    if (points.length) {
      ctx.map.fitBounds(L.latLngBounds(points), {padding: [30, 30], maxZoom: 9});
    } else {
      ctx.map.setView([20, 0], 2);
    }
  }

  function mount(rootId) {
    var root = document.getElementById(rootId);
    var map = L.map(root.querySelector(".sr-map"), {zoomSnap: 0.25});
    var ctx = {
      root: root,
      map: map,
      data: readData(rootId),
      state: {w0: null, w1: null, modes: {}, sources: {}, carriers: {}},
      layers: {sites: L.layerGroup(), legs: L.layerGroup(), arrows: L.layerGroup(),
        links: L.layerGroup()}
    };
    ctx.inWindow = function (t0, t1) {
      var st = ctx.state;
      return t0 === null || st.w0 === null || (t0 <= st.w1 && st.w0 <= t1);
    };
    map.attributionControl.addAttribution(ctx.data.attribution);
    L.control.scale({imperial: false}).addTo(map);
    var bases = drawBasemap(ctx);
    Object.keys(ctx.layers).forEach(function (name) { ctx.layers[name].addTo(map); });
    L.control.layers(bases, {"Sites": ctx.layers.sites, "Legs": ctx.layers.legs,
      "Direction arrows": ctx.layers.arrows, "Links to networks": ctx.layers.links}).addTo(map);
    drawSites(ctx);
    drawLegs(ctx);
    wireFilters(ctx);
    wireTimeWindow(ctx);
    wireFullscreen(ctx);
    fitView(ctx);
    root.srMap = map;
    root.srReady = true;
    return map;
  }

  window.ShipRoute = {mount: mount, escape: esc};
}());
