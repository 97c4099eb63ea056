/* The optional point picker of the ticket forms: a small Leaflet map with the grid outlines of
   the user's area (json_script #gz-boundaries) and their names, no tiles needed. A tap (or "use
   my location") sets the hidden lat/lng inputs and names the grid it lies in — never raw
   coordinates. When the spot lies outside the grid of the building chosen above, a dialog asks
   which one is right: the building (the point is cleared) or the spot (the place is left empty,
   so the ticket goes to the spot's grid). The server asks the same question without JavaScript. */
(function () {
  "use strict";
  var box = document.getElementById("gz-point-map");
  if (!box || !window.L || !window.GZMap) { return; }
  var G = window.GZMap;
  var cfg = G.config();
  var lat = document.querySelector("input[name=lat]");
  var lng = document.querySelector("input[name=lng]");
  var shown = document.getElementById("gz-point-value");
  var clear = document.getElementById("gz-point-clear");
  var select = document.querySelector("select[name=place]");
  var prefer = document.querySelector("input[type=hidden][name=prefer]");
  var dialog = document.getElementById("gz-point-dialog");
  var map = G.create(box, cfg);
  map.setView(cfg.centre || [28.0, 112.0], 12);  // a view first: permanent labels need one
  var data = JSON.parse(document.getElementById("gz-boundaries").textContent);
  var layer = L.geoJSON(data, {
    style: { color: "#0d6efd", weight: 1, fillOpacity: 0.05 },
    onEachFeature: G.labelGrid
  }).addTo(map);
  var marker = null;
  function fit() {
    if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom() || 0, 15)); }
    else if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { animate: false }); }
    else { map.setView(cfg.centre || [28.0, 112.0], 12); }
  }
  fit();
  // Drawn inside a closed <details>: the map has no size until it is opened.
  var details = box.closest("details");
  if (details) {
    details.addEventListener("toggle", function () {
      if (details.open) { map.invalidateSize(); fit(); }
    });
  }
  function gridOfPoint() {
    if (!lat.value || !lng.value) { return null; }
    return G.gridAt(data, Number(lat.value), Number(lng.value));
  }
  function show() {
    if (!lat.value || !lng.value) { shown.textContent = ""; clear.hidden = true; return; }
    var grid = gridOfPoint();
    shown.textContent = grid ? G.format(cfg.text.in_grid, { grid: grid.properties.name }) : cfg.text.outside;
    clear.hidden = false;
  }
  function removePoint() {
    lat.value = ""; lng.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    show();
  }
  // The chosen place's grid outline, when the map has it (else nothing to compare with).
  function chosen() {
    if (!select || !select.value) { return null; }
    var option = select.options[select.selectedIndex];
    var path = option && option.getAttribute("data-grid");
    var features = data.features || [];
    for (var i = 0; i < features.length; i++) {
      if (features[i].properties.path === path) { return { option: option, grid: features[i] }; }
    }
    return null;
  }
  function check() {
    if (!dialog || !lat.value || !lng.value) { return; }
    var place = chosen();
    if (!place) { return; }
    var at = gridOfPoint();
    if (at && at.properties.path === place.grid.properties.path) { return; }
    var textBox = document.getElementById("gz-point-dialog-text");
    var values = { place: place.option.textContent, grid: place.grid.properties.name, other: at ? at.properties.name : "" };
    textBox.textContent = G.format(at ? textBox.dataset.template : textBox.dataset.outside, values);
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
  }
  function put(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 7, color: "#dc3545" }).addTo(map); }
    if (prefer) { prefer.value = ""; }
    show();
    check();
  }
  if (dialog) {
    dialog.addEventListener("click", function (event) {
      var button = event.target.closest("[data-choice]");
      if (!button) { return; }
      if (button.dataset.choice === "place") {
        removePoint();  // the building is right: the spot was a slip
      } else {
        if (select) { select.value = ""; }  // the spot is right: its grid gets the ticket
        if (prefer) { prefer.value = "point"; }
      }
      if (typeof dialog.close === "function") { dialog.close(); } else { dialog.removeAttribute("open"); }
    });
  }
  if (select) { select.addEventListener("change", function () { if (prefer) { prefer.value = ""; } check(); }); }
  map.on("click", function (e) { put(e.latlng); });
  layer.on("click", function (e) { put(e.latlng); });
  clear.addEventListener("click", removePoint);
  G.locate(map, document.querySelector(".gz-locate[data-map=gz-point-map]"), document.getElementById("gz-locate-message"), cfg, put);
  if (lat.value && lng.value) {
    var latlng = L.latLng(Number(lat.value), Number(lng.value));
    marker = L.circleMarker(latlng, { radius: 7, color: "#dc3545" }).addTo(map);
    fit();
  }
  show();
})();
