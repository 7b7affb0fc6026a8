// The page's own script: for every chart container, read its spec from the JSON
// data island it names (JSON.parse, never eval) and draw it with vega-embed, with
// the expression interpreter (`ast: true`) so the Content-Security-Policy needs no
// 'unsafe-eval'. A chart that fails says so in its container and on the console.
export const BOOT = `(function () {
  'use strict';
  function fail(el, err) {
    el.setAttribute('data-state', 'error');
    el.classList.add('chart-error');
    el.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : String(err));
    console.error('reaplay report: chart', el.id, err);
  }
  var views = document.querySelectorAll('[data-chart-spec]');
  Array.prototype.forEach.call(views, function (el) {
    try {
      var island = document.getElementById(el.getAttribute('data-chart-spec'));
      if (!island) throw new Error('no chart data');
      if (typeof vegaEmbed !== 'function') throw new Error('vega-embed did not load');
      var spec = JSON.parse(island.textContent);
      vegaEmbed(el, spec, { actions: false, renderer: 'svg', ast: true, defaultStyle: true }).then(
        function () { el.setAttribute('data-state', 'rendered'); },
        function (err) { fail(el, err); }
      );
    } catch (err) {
      fail(el, err);
    }
  });
})();
`;
