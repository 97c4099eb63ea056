/* The staff ticket map: grid outlines and open tickets from /tickets/map/data/ (GeoJSON).
   Markers are coloured by status, overdue ones red. Tiles only when MAP_TILE_URL is set. */
(function () {
  "use strict";
  // Names are data, never HTML: Leaflet would parse a string as markup.
  function text(value) { var span = document.createElement("span"); span.textContent = value; return span; }
  var box = document.getElementById("gz-ticket-map");
  if (!box || !window.L) { return; }
  var COLOURS = {
    submitted: "#0d6efd", accepted: "#0dcaf0", in_grid: "#20c997", escalated: "#fd7e14",
    dispatched: "#6f42c1", pooled: "#d63384", taken: "#6610f2", in_progress: "#198754",
    returned: "#ffc107", escalated_to_street: "#795548"
  };
  var map = L.map(box, { attributionControl: !!box.dataset.tiles });
  if (box.dataset.tiles) { L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map); }
  map.setView([28.0, 112.0], 12);
  var status = document.getElementById("gz-map-summary");
  fetch(box.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var grids = L.geoJSON(data.grids, {
        style: { color: "#0d6efd", weight: 1, fillOpacity: 0.04 },
        onEachFeature: function (f, l) { l.bindTooltip(text(f.properties.name)); }
      }).addTo(map);
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
