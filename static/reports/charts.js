/* Charts of the completion report, drawn with the vendored ECharts. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var L = data.labels;
    var charts = [];
    // Tooltips are HTML: every text from the data (unit names come from imports) is
    // escaped before it is joined into markup.
    var esc = window.echarts.format.encodeHTML;

    var unitsEl = document.getElementById("chart-units");
    if (unitsEl && data.units.length) {
      var chart = window.echarts.init(unitsEl);
      var names = data.units.map(function (u) { return u.name; });
      chart.setOption({
        grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (items) {
            var u = data.units[items[0].dataIndex];
            return esc(u.name) + "<br>" + esc(L.rate) + ": " +
              (u.rate === null ? "—" : (u.rate * 100).toFixed(1) + "%") +
              " (" + esc(String(u.completed)) + "/" + esc(String(u.headcount)) + ")";
          }
        },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
        series: [{
          type: "bar", name: L.rate,
          data: data.units.map(function (u) {
            var v = u.rate === null ? 0 : Math.round(u.rate * 1000) / 10;
            return { value: v, itemStyle: { color: v >= 90 ? "#1a7f37" : (v >= 70 ? "#bf8700" : "#cf222e") } };
          }),
          label: { show: true, position: "right", formatter: "{c}%" }
        }]
      });
      unitsEl.style.height = Math.max(240, 34 * names.length + 40) + "px";
      chart.resize();
      charts.push(chart);
    }

    var lineEl = document.getElementById("chart-timeline");
    if (lineEl) {
      var total = 0;
      var points = data.timeline.map(function (p) { total += p[1]; return [p[0], total]; });
      if (!points.length || points[0][0] > data.starts_on) points.unshift([data.starts_on, 0]);
      var series = [{
        type: "line", name: L.completed, step: "end", showSymbol: false, areaStyle: { opacity: 0.15 },
        data: points,
        markLine: data.due_on ? {
          symbol: "none", label: { formatter: L.due }, lineStyle: { color: "#cf222e", type: "dashed" },
          data: [{ xAxis: data.due_on }]
        } : undefined
      }];
      var line = window.echarts.init(lineEl);
      line.setOption({
        grid: { left: 8, right: 24, top: 30, bottom: 10, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "time" },
        yAxis: { type: "value", max: Math.max(data.expected, total) },
        series: series.concat([{
          type: "line", name: L.target, showSymbol: false, lineStyle: { type: "dotted", color: "#57606a" },
          data: [[data.starts_on, data.expected], [data.due_on || points[points.length - 1][0], data.expected]]
        }]),
        legend: { top: 0 }
      });
      charts.push(line);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
