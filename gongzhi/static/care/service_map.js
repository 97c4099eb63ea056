/* The service circle's map: the points of the page (json_script #gz-service-points) as
   markers with their name, kind and opening hours (text, never HTML). Tiles only when
   MAP_TILE_URL is set, as on the ticket map. */
(function () {
  "use strict";
  var box = document.getElementById("gz-service-map");
  var data = document.getElementById("gz-service-points");
  if (!box || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent);
  var map = L.map(box, { attributionControl: !!box.dataset.tiles });
  if (box.dataset.tiles) { L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map); }
  var layer = L.featureGroup().addTo(map);
  points.forEach(function (p) {
    var div = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = p.name;
    div.appendChild(strong);
    div.appendChild(document.createTextNode(" · " + p.kind + (p.hours ? " · " + p.hours : "")));
    L.circleMarker([p.lat, p.lng], { radius: 7, color: "#198754", fillColor: "#198754", fillOpacity: 0.8, weight: 1 })
      .bindPopup(div).addTo(layer);
  });
  if (layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.2), { animate: false, maxZoom: 17 }); }
  box.dataset.loaded = String(layer.getLayers().length);
})();
