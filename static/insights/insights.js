// Charts of the insights pages (ECharts served by the platform). Tables carry the same
// figures, so the pages stay usable without JavaScript.
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function pct(v) { return v === null || v === undefined ? "—" : Math.round(v * 100) + "%"; }
  // ECharts (1 MB) and the lower half of the page load only when the reader gets
  // there: the first view is the needs table alone.
  var self = document.currentScript;
  var echartsSrc = self ? self.getAttribute("data-echarts") : null;
  function withCharts(fn) {
    var wanted = document.getElementById("heatmap") || document.getElementById("trend");
    if (window.echarts || !wanted || !echartsSrc) { fn(); return; }
    var s = document.createElement("script");
    s.src = echartsSrc;
    s.onload = fn;
    s.onerror = fn;
    document.head.appendChild(s);
  }
  function lazy() {
    var more = document.getElementById("insights-more");
    var src = more ? more.getAttribute("data-src") : null;
    if (!src) { withCharts(draw); return; }
    function load() {
      fetch(src, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) { more.innerHTML = html; more.removeAttribute("data-src"); withCharts(draw); })
        .catch(function () { /* the link to the full page stays */ });
    }
    if (!("IntersectionObserver" in window)) { load(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); load(); }
    }, { rootMargin: "400px" });
    seen.observe(more);
  }
  function draw() {
    var nodes = ["heatmap", "trend"].map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    if (!window.echarts) {
      nodes.forEach(function (n) { n.style.height = "auto"; n.className += " chart-fallback"; n.textContent = n.getAttribute("aria-label"); });
      return;
    }
    var charts = [];
    // Tooltips are HTML: every text from the data (unit and indicator names come from
    // imports) is escaped before it is joined into markup.
    var esc = echarts.format.encodeHTML;
    var heat = data("heatmap-data");
    if (heat && document.getElementById("heatmap")) {
      var el = document.getElementById("heatmap");
      el.style.height = Math.max(320, 60 + heat.units.length * 22) + "px";
      var c = echarts.init(el);
      c.setOption({
        tooltip: { formatter: function (p) {
          var d = p.data;
          return esc(heat.units[d[1]]) + "<br>" + esc(heat.indicators[d[0]]) + "<br>" + esc(heat.tiers[d[2]]) +
            " · " + esc(heat.standingLabel) + " " + pct(d[4]) + " · " + esc(heat.masteryLabel) + " " + pct(d[3]);
        } },
        grid: { left: 190, right: 20, top: 10, bottom: 170 },
        xAxis: { type: "category", data: heat.indicators, axisLabel: { rotate: 60, fontSize: 11, interval: 0,
          formatter: function (v) { return v.length > 12 ? v.slice(0, 12) + "…" : v; } } },
        yAxis: { type: "category", data: heat.units, inverse: true, axisLabel: { fontSize: 12, interval: 0 } },
        visualMap: { type: "piecewise", dimension: 2, orient: "horizontal", left: "center", bottom: 0,
          pieces: [ { value: 0, label: heat.tiers[0], color: "#f3a6a0" }, { value: 1, label: heat.tiers[1], color: "#f7e08b" },
                    { value: 2, label: heat.tiers[2], color: "#9ed9a8" } ] },
        series: [{ type: "heatmap", data: heat.data, encode: { x: 0, y: 1 },
          label: { show: true, fontSize: 10, color: "#1f2328", formatter: function (p) {
            return p.data[3] === null ? "" : Math.round(p.data[3] * 100); } },
          itemStyle: { borderColor: "#fff", borderWidth: 1 } }]
      });
      c.on("click", function (p) {
        var code = heat.unitCodes[p.data[1]];
        if (code) { window.location.href = "units/" + encodeURIComponent(code) + "/" + window.location.search; }
      });
      charts.push(c);
    }
    var tr = data("trend-data");
    if (tr && document.getElementById("trend")) {
      var t = echarts.init(document.getElementById("trend"));
      var selected = {};
      tr.series.forEach(function (s, i) { selected[s.name] = i < 6; });
      t.setOption({
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0, selected: selected },
        grid: { left: 50, right: 20, top: 50, bottom: 30 },
        xAxis: { type: "category", data: tr.periods },
        yAxis: { type: "value", min: 0, max: 1, name: tr.standingLabel, nameLocation: "middle", nameGap: 35 },
        series: tr.series.map(function (s) { return { name: s.name, type: "line", data: s.data, connectNulls: true }; })
      });
      charts.push(t);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", lazy); } else { lazy(); }
})();
