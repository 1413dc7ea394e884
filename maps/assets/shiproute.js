/* shiproute map runtime: draws a routed dataset with Leaflet, filters it by time,
 * mode, source and carrier, and builds popups. It makes no network request; tile
 * layers are fetched only when the reader picks one. Dataset text is inserted as
 * escaped text only. Defined once per page, however many maps the page holds. */
(function () {
  "use strict";
  if (window.ShipRoute) {
    return;
  }
  var SCALE = 1e5;
  var DAY_MS = 86400000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var TILES = {
    "OpenStreetMap": ["https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      "&copy; OpenStreetMap contributors", {}],
    "CARTO light": ["https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
      "&copy; OpenStreetMap contributors &copy; CARTO", {subdomains: "abcd"}],
    "CARTO dark": ["https://{s}.basemaps.cartocdn.com/dark_all/{z}/{x}/{y}{r}.png",
      "&copy; OpenStreetMap contributors &copy; CARTO", {subdomains: "abcd"}],
    "Esri imagery": ["https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
      "Tiles &copy; Esri; sources: Esri, Maxar, Earthstar Geographics, GIS User Community", {}]
  };

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

  function width(volume) {
    return volume > 0 ? Math.min(12, 2 + 2 * Math.log10(1 + volume)) : 2;
  }

  function mount(rootId) {
    var root = document.getElementById(rootId);
    var data = JSON.parse(document.getElementById(rootId + "-data").textContent);
    var S = data.strings;
    var str = function (i) { return i === null || i < 0 ? "" : S[i]; };
    var map = L.map(root.querySelector(".sr-map"), {zoomSnap: 0.25});
    map.attributionControl.addAttribution(data.attribution);
    L.control.scale({imperial: false}).addTo(map);

    var bases = {};
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
    bases["Offline (Natural Earth)"] = offline;
    Object.keys(TILES).forEach(function (name) {
      var t = TILES[name];
      bases[name] = L.tileLayer(t[0], L.extend({maxZoom: 18, attribution: t[1]}, t[2]));
    });
    (bases[data.tiles] || offline).addTo(map);

    var sitesLayer = L.layerGroup().addTo(map);
    var legsLayer = L.layerGroup().addTo(map);
    var arrowsLayer = L.layerGroup().addTo(map);
    var linksLayer = L.layerGroup().addTo(map);
    L.control.layers(bases, {"Sites": sitesLayer, "Legs": legsLayer,
      "Direction arrows": arrowsLayer, "Links to networks": linksLayer}).addTo(map);

    var state = {w0: null, w1: null, modes: {}, sources: {}, carriers: {}};

    function inWindow(t0, t1) {
      return t0 === null || state.w0 === null || (t0 <= state.w1 && state.w0 <= t1);
    }

    function cite(ids) {
      if (!ids.length) { return ""; }
      return "<ol class='sr-cites'>" + ids.map(function (i) {
        var s = data.sources[i];
        var title = s[4] ? "<a href='" + esc(s[4]) + "' target='_blank' rel='noopener noreferrer'>" +
          esc(s[1]) + "</a>" : esc(s[1]);
        var bits = [title];
        if (s[2]) { bits.push(esc(s[2])); }
        if (s[3]) { bits.push(esc(s[3])); }
        if (s[5]) { bits.push("reliability " + esc(s[5])); }
        return "<li>" + bits.join(", ") + "</li>";
      }).join("") + "</ol>";
    }

    function row(label, value) {
      return value ? "<tr><th>" + esc(label) + "</th><td>" + value + "</td></tr>" : "";
    }

    var sites = data.sites.map(function (s, i) {
      var style = data.kinds[s[2]];
      var marker = L.circleMarker([s[4], s[5]], {radius: style[1], color: "#fff", weight: 2,
        fillColor: style[0], fillOpacity: 0.95, className: "sr-site sr-kind-" + s[2]});
      marker.bindTooltip(esc(s[1]), {permanent: true, direction: "right", className: "sr-label"});
      marker.bindPopup(function () {
        var shown = data.events.filter(function (e) {
          return e[0] === i && inWindow(e[1], e[2]);
        });
        var hidden = data.events.filter(function (e) { return e[0] === i; }).length - shown.length;
        var html = "<div class='sr-popup'><b>" + esc(s[1]) + "</b> (" +
          esc(s[2].replace("_", " ")) + ", " + esc(s[3]) + ")<br>" +
          s[4].toFixed(4) + ", " + s[5].toFixed(4);
        if (s[6]) { html += "<p>" + esc(s[6]) + "</p>"; }
        if (shown.length) {
          html += "<ul class='sr-events'>" + shown.map(function (e) {
            return "<li><b>" + esc(str(e[3])) + "</b>: " + esc(str(e[4])) + cite(e[5]) + "</li>";
          }).join("") + "</ul>";
        }
        if (hidden > 0) { html += "<p>" + hidden + " more outside the time window</p>"; }
        return html + "</div>";
      }, {maxWidth: 420});
      marker.addTo(sitesLayer);
      return marker;
    });

    var geoms = data.geoms.map(function (g, gi) {
      var mode = data.modes[g.m];
      var line = L.polyline(decode(g.p), {color: mode[1], weight: 2, opacity: 0.85,
        className: "sr-leg sr-mode-" + mode[0]});
      line.bindPopup(function () { return legsPopup(gi); }, {maxWidth: 440, maxHeight: 420});
      var arrow = L.marker([g.a[0], g.a[1]], {interactive: false, keyboard: false,
        icon: L.divIcon({className: "sr-arrow", iconSize: [14, 14],
          html: "<svg width='14' height='14' viewBox='-7 -7 14 14' style='transform:rotate(" +
            (g.a[2] - 90) + "deg)'><path d='M-5,-4 L6,0 L-5,4 Z' fill='" + mode[1] + "'/></svg>"})});
      return {line: line, arrow: arrow, legs: [], shown: []};
    });
    data.legs.forEach(function (leg, li) { geoms[leg[0]].legs.push(li); });
    data.connectors.forEach(function (c) {
      L.polyline(decode(c), {className: "sr-connector", weight: 2, color: "#555",
        dashArray: "6 6", interactive: false}).addTo(linksLayer);
    });

    function legsPopup(gi) {
      var g = data.geoms[gi];
      var entry = geoms[gi];
      var legs = entry.shown.length ? entry.shown : entry.legs;
      var html = "<div class='sr-popup'>";
      legs.slice(0, 20).forEach(function (li) {
        var leg = data.legs[li];
        html += "<div class='sr-leg-info'><b>" + esc(data.sites[leg[1]][1]) + " &rarr; " +
          esc(data.sites[leg[2]][1]) + "</b><table>" +
          row("Mode", esc(data.modes[g.m][0])) +
          row("Departs", esc(str(leg[5]))) + row("Arrives", esc(str(leg[6]))) +
          row("Volume", esc(str(leg[7]))) + row("Carrier", esc(str(leg[10]))) +
          row("Leg id", esc(str(leg[13]))) + "</table>" +
          (leg[12] >= 0 ? "<p>" + esc(str(leg[12])) + "</p>" : "") + cite(leg[11]) + "</div>";
      });
      if (legs.length > 20) { html += "<p>and " + (legs.length - 20) + " more legs</p>"; }
      html += "<table class='sr-route'>" +
        row("Distance", esc(g.km.toLocaleString("en") + " km (" +
          Math.round(g.km / 1.852).toLocaleString("en") + " nmi)")) +
        row("Route", esc(str(g.src))) + row("Rule", esc(str(g.rule))) +
        row("Countries", esc(str(g.cc))) +
        row("Flags", g.flags.map(function (f) { return esc(str(f)); }).join("<br>")) +
        "</table></div>";
      return html;
    }

    var counter = root.querySelector(".sr-count");
    var now = root.querySelector(".sr-now");

    function apply() {
      geoms.forEach(function (entry) { entry.shown = []; entry.volume = 0; });
      var count = 0;
      data.legs.forEach(function (leg, li) {
        if (!state.modes[data.geoms[leg[0]].m] || !state.carriers[leg[10]]) { return; }
        if (leg[11].length && !leg[11].some(function (s) { return state.sources[s]; })) { return; }
        if (!inWindow(leg[3], leg[4])) { return; }
        var entry = geoms[leg[0]];
        entry.shown.push(li);
        entry.volume += leg[9];
        count += 1;
      });
      geoms.forEach(function (entry) {
        if (entry.shown.length) {
          entry.line.setStyle({weight: width(entry.volume)});
          if (!legsLayer.hasLayer(entry.line)) {
            legsLayer.addLayer(entry.line);
            arrowsLayer.addLayer(entry.arrow);
          }
        } else if (legsLayer.hasLayer(entry.line)) {
          legsLayer.removeLayer(entry.line);
          arrowsLayer.removeLayer(entry.arrow);
        }
      });
      if (counter) { counter.textContent = count + " of " + data.legs.length + " legs shown"; }
      if (now && state.w1 !== null) {
        var x = +now.dataset.left + (state.w1 - now.dataset.first) / now.dataset.span *
          now.dataset.width;
        x = Math.max(+now.dataset.left, Math.min(x, +now.dataset.left + +now.dataset.width));
        now.setAttribute("x1", x);
        now.setAttribute("x2", x);
      }
    }

    root.querySelectorAll("input[data-filter]").forEach(function (box) {
      state[box.dataset.filter][box.value] = box.checked;
      box.addEventListener("change", function () {
        state[box.dataset.filter][box.value] = box.checked;
        apply();
      });
    });

    var start = root.querySelector(".sr-start");
    var end = root.querySelector(".sr-end");
    var label = root.querySelector(".sr-window");
    var play = root.querySelector(".sr-play");
    function readWindow() {
      var a = +start.value, b = +end.value;
      state.w0 = Math.min(a, b);
      state.w1 = Math.max(a, b);
      label.textContent = dayLabel(state.w0) + " \u2013 " + dayLabel(state.w1);
      apply();
    }
    if (data.days && start) {
      [start, end].forEach(function (input) {
        input.min = data.days[0];
        input.max = data.days[1];
        input.addEventListener("input", readWindow);
      });
      start.value = data.days[0];
      end.value = data.days[1];
      var timer = null;
      play.addEventListener("click", function () {
        if (timer) {
          clearInterval(timer);
          timer = null;
          play.textContent = "\u25B6 Play";
          return;
        }
        if (+end.value >= data.days[1]) { end.value = start.value; }
        var step = Math.max(1, Math.round((data.days[1] - data.days[0]) / 100));
        play.textContent = "\u275A\u275A Pause";
        timer = setInterval(function () {
          end.value = Math.min(+end.value + step, data.days[1]);
          readWindow();
          if (+end.value >= data.days[1]) { play.click(); }
        }, 100);
      });
      readWindow();
    } else {
      apply();
    }

    var full = root.querySelector(".sr-fullscreen");
    if (full) {
      full.addEventListener("click", function () {
        if (document.fullscreenElement) { document.exitFullscreen(); } else { root.requestFullscreen(); }
      });
      document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
    }

    var points = [];
    data.sites.forEach(function (s) { points.push([s[4], s[5]]); });
    geoms.forEach(function (entry) { points.push(entry.line.getBounds().getNorthEast(),
      entry.line.getBounds().getSouthWest()); });
    if (points.length) {
      map.fitBounds(L.latLngBounds(points), {padding: [30, 30], maxZoom: 9});
    } else {
      map.setView([20, 0], 2);
    }
    root.srMap = map;
    root.srReady = true;
    return map;
  }

  window.ShipRoute = {mount: mount, escape: esc};
}());
