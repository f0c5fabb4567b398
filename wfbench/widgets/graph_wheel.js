// Ctrl+wheel (or Cmd+wheel) over a wfbench graph zooms the drawing around the pointer; a
// plain wheel is left alone, so it scrolls the page (cytoscape's own wheel zoom is off).
// One listener for the whole page, installed by the first graph shown; it finds the graph
// under the pointer through cytoscape's instance on its container (el._cyreg.cy).
function zoomAt(event, step) {
  const target = event.target instanceof Element ? event.target : null;
  const box = target && target.closest(".wfb-graph-box");
  if (!box) return;
  const container = target.closest(".__________cytoscape_container");
  const cy = container && container._cyreg && container._cyreg.cy;
  if (!cy) return;
  event.preventDefault(); // neither the page nor the browser's own zoom
  const rect = container.getBoundingClientRect();
  const notches = Math.max(-5, Math.min(5, -event.deltaY / 100));
  const level = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * step ** notches));
  cy.zoom({ level, renderedPosition: { x: event.clientX - rect.left, y: event.clientY - rect.top } });
}

function render({ model, el }) {
  el.style.display = "none";
  if (window.__wfbCtrlWheel) return;
  window.__wfbCtrlWheel = true;
  document.addEventListener(
    "wheel",
    (event) => {
      if (event.ctrlKey || event.metaKey) zoomAt(event, model.get("step"));
    },
    { capture: true, passive: false },
  );
}

export default { render };
