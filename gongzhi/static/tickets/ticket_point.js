/* The staff ticket page's small map: the ticket's point and its grid outline with the grid's
   name (json_script #gz-ticket-point-data; tiles only when settings give them). */
(function () {
  "use strict";
  var box = document.getElementById("gz-ticket-point");
  var source = document.getElementById("gz-ticket-point-data");
  if (!box || !source || !window.L || !window.GZMap) { return; }
  var G = window.GZMap;
  var point = JSON.parse(source.textContent);
  var map = G.create(box, G.config());
  map.setView([point.lat, point.lng], 16);  // a view first: permanent labels need one
  if (point.grid) {
    L.geoJSON(point.grid, { style: { color: "#0d6efd", weight: 1, fillOpacity: 0.05 }, onEachFeature: G.labelGrid, interactive: false }).addTo(map);
  }
  L.circleMarker([point.lat, point.lng], { radius: 8, color: "#dc3545", fillOpacity: 0.7, interactive: false }).addTo(map);
})();
