/* The staff ticket map: grid outlines and open tickets from /tickets/map/data/ (GeoJSON).
   Markers are coloured by status, overdue ones red. Tiles only when MAP_TILE_URL is set.
   Grid names stay on the map from the middle zoom on, estates and buildings closer in
   (tickets/gz_map.js); "use my location" centres the map on the user. */
(function () {
  "use strict";
  // Names are data, never HTML: Leaflet would parse a string as markup.
  function text(value) { var span = document.createElement("span"); span.textContent = value; return span; }
  var box = document.getElementById("gz-ticket-map");
  if (!box || !window.L || !window.GZMap) { return; }
  var G = window.GZMap;
  var cfg = G.config();
  var COLOURS = {
    submitted: "#0d6efd", accepted: "#0dcaf0", in_grid: "#20c997", escalated: "#fd7e14",
    dispatched: "#6f42c1", pooled: "#d63384", taken: "#6610f2", in_progress: "#198754",
    returned: "#ffc107", escalated_to_street: "#795548"
  };
  var map = G.create(box, cfg);
  map.setView(cfg.centre || [28.0, 112.0], 12);
  var here = null;
  G.locate(map, document.querySelector(".gz-locate[data-map=gz-ticket-map]"), document.getElementById("gz-locate-message"), cfg, function (latlng) {
    if (here) { here.setLatLng(latlng); } else { here = L.circleMarker(latlng, { radius: 6, color: "#212529", fillOpacity: 0.6 }).addTo(map); }
  });
  var status = document.getElementById("gz-map-summary");
  fetch(box.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var grids = L.geoJSON(data.grids, {
        style: { color: "#0d6efd", weight: 1, fillOpacity: 0.04 },
        onEachFeature: G.labelGrid
      }).addTo(map);
      G.labelPlaces(map, data.labels);
      var tickets = L.geoJSON(data.tickets, {
        pointToLayer: function (f, latlng) {
          var p = f.properties;
          var colour = p.overdue ? "#dc3545" : (COLOURS[p.status] || "#6c757d");
          return L.circleMarker(latlng, { radius: p.overdue ? 8 : 6, color: colour, fillColor: colour, fillOpacity: 0.8, weight: 1 });
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          var a = document.createElement("a");
          a.href = box.dataset.detail.replace("0", String(p.id));
          a.textContent = p.number;
          var div = document.createElement("div");
          div.appendChild(a);
          div.appendChild(document.createTextNode(" · " + p.status_label + " · " + p.category + (p.overdue ? " · " + box.dataset.overdue : "")));
          l.bindPopup(div);
        }
      }).addTo(map);
      var bounds = grids.getBounds();
      if (tickets.getLayers().length) { bounds = bounds.isValid() ? bounds.extend(tickets.getBounds()) : tickets.getBounds(); }
      if (bounds.isValid()) { map.fitBounds(bounds, { animate: false }); }
      box.dataset.loaded = String(tickets.getLayers().length);
      status.textContent = status.dataset.template + " " + String(tickets.getLayers().length) + (data.tickets.truncated ? " " + status.dataset.truncated : "");
    })
    .catch(function () { status.textContent = status.dataset.failed; });
})();
