/* The cockpit (数字驾驶舱): fetches the one data endpoint at once and every `data-refresh`
   seconds, without reloading the page, and draws the live figures, the grid map (Leaflet,
   outlines only unless settings give a tile layer), the community ranking and two ECharts
   trends. Every text shown comes from the JSON or from the page's data-text-* attributes;
   names are set as text, never as HTML. */
(function () {
  "use strict";
  var cfgEl = document.getElementById("gz-ck-config");
  if (!cfgEl) { return; }
  var source = cfgEl.dataset.source;
  var refresh = Math.max(10, parseInt(cfgEl.dataset.refresh, 10) || 60);
  var pick = document.getElementById("gz-ck-map-pick");
  var area = document.getElementById("gz-ck-area");
  var map = null, layer = null, fitted = false, charts = {};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text != null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function fmt(value) {
    return value == null ? cfgEl.dataset.textNone : String(value);
  }

  function figures(list) {
    var ul = document.getElementById("gz-ck-figure-list");
    ul.textContent = "";
    list.forEach(function (f) {
      var li = el("li", null, "gz-ck-figure" + (f.urgent && f.value ? " gz-ck-urgent" : ""));
      li.dataset.testid = "figure-" + f.key;
      var icon = el("i", null, "bi bi-" + f.icon);
      icon.setAttribute("aria-hidden", "true");
      li.appendChild(icon);
      var number = el("span", null, "gz-ck-number");
      var value = el("span", fmt(f.value), "gz-ck-value");
      value.dataset.testid = "figure-value-" + f.key;
      number.appendChild(value);
      if (f.value != null && f.unit) { number.appendChild(el("span", f.unit, "gz-ck-unit")); }
      li.appendChild(number);
      li.appendChild(el("span", f.label, "gz-ck-label"));
      ul.appendChild(li);
    });
  }

  // Light to strong: the heat and "lower is better" figures go to red, "higher is better" to green.
  var REDS = ["#3b2f2f", "#7a3b2e", "#b8442f", "#e5562f", "#ff7a45"];
  var GREENS = ["#2e3b33", "#2f6b45", "#2f9155", "#38b865", "#5ee08a"];

  function colour(value, m) {
    if (value == null) { return "#2a3445"; }
    // The lowest value still gets a visible colour (the darkest shade is kept for zero).
    var palette = m.higher_is_better ? GREENS : REDS;
    if (value === 0 && !m.higher_is_better) { return palette[0]; }
    if (m.max === m.min) { return palette[3]; }
    var step = 1 + Math.round((value - m.min) / (m.max - m.min) * (palette.length - 2));
    return palette[Math.max(1, Math.min(palette.length - 1, step))];
  }

  function drawMap(m) {
    if (!window.L || !window.GZMap) { return; }
    var box = document.getElementById("gz-ck-map");
    if (!map) {
      var cfg = window.GZMap.config();
      map = window.GZMap.create(box, cfg, { zoomSnap: 0.25 });
      map.setView(cfg.centre || [28, 112], 12);
    }
    if (layer) { map.removeLayer(layer); }
    var features = (m.grids && m.grids.features || []).filter(function (f) { return f.geometry; });
    layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        return { color: "#9fb3c8", weight: 1, fillColor: colour(f.properties.value, m), fillOpacity: 0.75 };
      },
      onEachFeature: function (f, l) {
        var tip = el("span", f.properties.name + "：" + fmt(f.properties.value) + (f.properties.value != null ? (m.unit || "") : ""));
        l.bindTooltip(tip, { sticky: true });
      }
    }).addTo(map);
    box.dataset.grids = String(features.length);
    if (!fitted && features.length) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); fitted = true; }
    var legend = document.getElementById("gz-ck-legend");
    legend.textContent = m.name + (m.period && m.period !== m.name ? "（" + m.period + "）" : "") + "　" +
      cfgEl.dataset.textLow + " " + fmt(m.min) + " — " + cfgEl.dataset.textHigh + " " + fmt(m.max) + (m.unit ? " " + m.unit : "");
  }

  function ranking(r) {
    var body = document.getElementById("gz-ck-rank-rows");
    var head = document.getElementById("gz-ck-round");
    body.textContent = "";
    if (!r.round) { head.textContent = cfgEl.dataset.textNoRound; return; }
    head.textContent = r.round.title;
    r.rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("td", String(row.rank)));
      tr.appendChild(el("td", row.community));
      tr.appendChild(el("td", row.street));
      tr.appendChild(el("td", fmt(row.total)));
      tr.appendChild(el("td", row.vetoed ? cfgEl.dataset.textVetoed : (row.grade || "")));
      body.appendChild(tr);
    });
  }

  function chart(id, labels, values, name, kind) {
    if (typeof echarts === "undefined") { return; }
    var box = document.getElementById(id);
    if (!charts[id]) { charts[id] = echarts.init(box, null, { renderer: "canvas" }); }
    charts[id].setOption({
      animation: false,
      grid: { left: 44, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: "axis" },
      textStyle: { color: "#d6e2f0" },
      xAxis: { type: "category", data: labels, axisLabel: { color: "#d6e2f0" } },
      yAxis: { type: "value", axisLabel: { color: "#d6e2f0" }, splitLine: { lineStyle: { color: "#34425a" } } },
      series: [{ name: name, type: kind, data: values, itemStyle: { color: kind === "bar" ? "#4fa3ff" : "#ffc857" },
                 lineStyle: { color: "#ffc857" }, label: { show: kind === "line", color: "#ffc857" } }]
    });
    box.dataset.points = String(values.length);
  }

  function trends(t) {
    chart("gz-ck-chart-tickets", t.tickets.map(function (p) { return p.month; }),
      t.tickets.map(function (p) { return p.count; }), cfgEl.dataset.textTickets, "bar");
    chart("gz-ck-chart-index", t.index.map(function (p) { return p.round; }),
      t.index.map(function (p) { return p.average; }), cfgEl.dataset.textIndex, "line");
  }

  function stamp(iso) {
    var when = new Date(iso);
    var text = isNaN(when.getTime()) ? iso : when.toLocaleString("zh-CN", { hour12: false });
    var node = document.getElementById("gz-ck-updated");
    node.textContent = text;
    node.setAttribute("datetime", iso);
    node.classList.remove("gz-ck-failed");
  }

  var loading = false;
  function load() {
    if (loading) { return; }
    loading = true;
    var url = source + "?map=" + encodeURIComponent(pick ? pick.value : "heat");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (d) {
        figures(d.figures);
        drawMap(d.map);
        ranking(d.ranking);
        trends(d.trend);
        stamp(d.updated_at);
        document.body.dataset.loaded = "true";
      })
      .catch(function () {
        var node = document.getElementById("gz-ck-updated");
        node.textContent = cfgEl.dataset.textFailed;
        node.classList.add("gz-ck-failed");
      })
      .then(function () { loading = false; });
  }

  if (pick) { pick.addEventListener("change", load); }
  if (area) {
    area.addEventListener("change", function () { if (area.form) { area.form.submit(); } });
  }
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    if (map) { map.invalidateSize(); }
  });
  load();
  window.setInterval(load, refresh * 1000);
})();
