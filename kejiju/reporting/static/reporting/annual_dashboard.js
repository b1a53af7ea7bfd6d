/* The annual dashboard's charts: data from the json_script block #annual-chart-data (no inline script). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("annual-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var counties = document.getElementById("chart-counties");
    if (counties && data.counties.regions.length) {
      echarts.init(counties).setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 10, bottom: 70, top: 40 },
        xAxis: { type: "category", data: data.counties.regions, axisLabel: { rotate: 45 } },
        yAxis: { type: "value", minInterval: 1 },
        series: data.counties.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
    }
    var trend = document.getElementById("chart-trend");
    if (trend) {
      echarts.init(trend).setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 10, bottom: 30, top: 40 },
        xAxis: { type: "category", data: data.trend.years },
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
