/* The optional point picker of the ticket forms: a small Leaflet map with the grid outlines of
   the user's area (from a json_script element), no tiles needed. A click sets the hidden lat/lng
   inputs; "clear" removes the point. Without JavaScript the form works with the address. */
(function () {
  "use strict";
  // Names are data, never HTML: Leaflet would parse a string as markup.
  function text(value) { var span = document.createElement("span"); span.textContent = value; return span; }
  var box = document.getElementById("gz-point-map");
  if (!box || !window.L) { return; }
  var lat = document.querySelector("input[name=lat]");
  var lng = document.querySelector("input[name=lng]");
  var shown = document.getElementById("gz-point-value");
  var clear = document.getElementById("gz-point-clear");
  var map = L.map(box, { attributionControl: false });
  var tiles = box.dataset.tiles;
  if (tiles) { L.tileLayer(tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map); }
  var data = JSON.parse(document.getElementById("gz-boundaries").textContent);
  var layer = L.geoJSON(data, {
    style: { color: "#0d6efd", weight: 1, fillOpacity: 0.05 },
    onEachFeature: function (f, l) { l.bindTooltip(text(f.properties.name)); }
  }).addTo(map);
  var marker = null;
  function fit() {
    if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom() || 0, 15)); }
    else if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { animate: false }); }
    else { map.setView([28.0, 112.0], 12); }
  }
  fit();
  // Drawn inside a closed <details>: the map has no size until it is opened.
  var details = box.closest("details");
  if (details) {
    details.addEventListener("toggle", function () {
      if (details.open) { map.invalidateSize(); fit(); }
    });
  }
  function show() {
    if (!lat.value || !lng.value) { shown.textContent = ""; clear.hidden = true; return; }
    shown.textContent = Number(lat.value).toFixed(5) + ", " + Number(lng.value).toFixed(5);
    clear.hidden = false;
  }
  function place(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 7, color: "#dc3545" }).addTo(map); }
    show();
  }
  map.on("click", function (e) { place(e.latlng); });
  layer.on("click", function (e) { place(e.latlng); });
  clear.addEventListener("click", function () {
    lat.value = ""; lng.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    show();
  });
  if (lat.value && lng.value) { place(L.latLng(Number(lat.value), Number(lng.value))); }
  show();
})();
