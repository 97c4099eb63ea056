/* What the ticket maps share (window.GZMap): the base map with the optional tile layer from
   settings, labels that appear with the zoom (grids, then estates, then buildings), the
   "use my location" button and the grid that contains a point. The configuration comes from a
   json_script element (#gz-map-config, tickets/geo.map_config); names are always text, never
   HTML (Leaflet would parse a string as markup). */
(function () {
  "use strict";
  if (!window.L) { return; }

  function config() {
    var el = document.getElementById("gz-map-config");
    return el ? JSON.parse(el.textContent) : { tiles: "", label_zoom: {}, centre: [28.0, 112.0], text: {} };
  }

  function text(value) { var span = document.createElement("span"); span.textContent = value; return span; }

  function format(template, values) {
    // "%(name)s" (gettext in Python) or "{name}" (template strings) take the value of `name`.
    return template.replace(/%\((\w+)\)s|\{(\w+)\}/g, function (_m, a, b) {
      var value = values[a || b];
      return value == null ? "" : value;
    });
  }

  // A Leaflet map in `box`: tiles only when settings give a URL (else outlines on a plain ground).
  function create(box, cfg, options) {
    var map = L.map(box, Object.assign({ attributionControl: !!cfg.tiles }, options || {}));
    // Labels lie under the outlines and markers (overlay pane: 400), never hiding a ticket.
    map.createPane("gzLabels").style.zIndex = 350;
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, {
        maxZoom: 19, attribution: cfg.attribution || "", key: cfg.key || "", subdomains: cfg.subdomains || "abc"
      }).addTo(map);
    }
    // Labels show by zoom: the container carries gz-show-grid / -estate / -building (map.css).
    var zooms = cfg.label_zoom || {};
    function zoomed() {
      var z = map.getZoom();
      ["grid", "estate", "building"].forEach(function (kind) {
        box.classList.toggle("gz-show-" + kind, zooms[kind] != null && z >= zooms[kind]);
      });
    }
    map.on("zoomend", zoomed);
    map.whenReady(zoomed);
    return map;
  }

  // A permanent label in the middle of each grid outline.
  function labelGrid(feature, layer) {
    layer.bindTooltip(text(feature.properties.name), {
      permanent: true, direction: "center", className: "gz-label gz-label-grid", interactive: false,
      pane: "gzLabels"
    });
  }

  // Estates and buildings: [{kind, name, lat, lng}] as text markers (not focusable).
  function labelPlaces(map, labels) {
    var group = L.layerGroup();
    (labels || []).forEach(function (p) {
      var span = document.createElement("span");
      span.textContent = p.name;
      group.addLayer(L.marker([p.lat, p.lng], {
        icon: L.divIcon({ className: "gz-label gz-label-" + p.kind, html: span, iconSize: null }),
        interactive: false, keyboard: false, pane: "gzLabels"
      }));
    });
    return group.addTo(map);
  }

  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  function inPolygon(rings, x, y) {
    if (!rings.length || !inRing(rings[0], x, y)) { return false; }
    for (var k = 1; k < rings.length; k++) { if (inRing(rings[k], x, y)) { return false; } }
    return true;
  }

  // The grid feature (of a GeoJSON FeatureCollection) containing the point, or null.
  function gridAt(collection, lat, lng) {
    var features = (collection && collection.features) || [];
    for (var i = 0; i < features.length; i++) {
      var g = features[i].geometry || {};
      var polygons = g.type === "Polygon" ? [g.coordinates] : (g.type === "MultiPolygon" ? g.coordinates : []);
      for (var p = 0; p < polygons.length; p++) {
        if (inPolygon(polygons[p], lng, lat)) { return features[i]; }
      }
    }
    return null;
  }

  // "Use my location": the browser's position (asked once, the person may refuse).
  function locate(map, button, message, cfg, found) {
    if (!button) { return; }
    var say = function (value) { if (message) { message.textContent = value || ""; } };
    button.addEventListener("click", function () {
      if (!navigator.geolocation || window.isSecureContext === false) { say(cfg.text.unavailable); return; }
      say(cfg.text.locating);
      navigator.geolocation.getCurrentPosition(function (position) {
        say("");
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom() || 0, 16));
        if (found) { found(latlng); }
      }, function (error) {
        say(error && error.code === 1 ? cfg.text.refused : cfg.text.unavailable);
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  window.GZMap = {
    config: config, create: create, text: text, format: format, labelGrid: labelGrid,
    labelPlaces: labelPlaces, gridAt: gridAt, locate: locate
  };
})();
