/* Charts load Plotly's "cartesian" bundle (scatter, bar, heatmap: every trace these pages draw; 1.5 MB,
   assets/vendor/plotly-cartesian.min.js, plotly.js-cartesian-dist-min of the same version as plotly.py's)
   instead of the full plotly.min.js (4.8 MB), whose evaluation alone took about half a second of the
   browser's time on each page with a chart. dcc.Graph loads Plotly when the first chart appears, from
   window._dashPlotlyJSURL, which the renderer sets at start: it is pinned here (this script runs before). */
(function () {
  var here = document.currentScript && document.currentScript.src;
  if (!here) return;
  var bundle = here.replace(/plotly-bundle\.js(\?.*)?$/, "vendor/plotly-cartesian.min.js");
  Object.defineProperty(window, "_dashPlotlyJSURL", {get: function () { return bundle; }, set: function () {},
                                                    configurable: true});
})();
