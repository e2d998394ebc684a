// nnbook: small fixes so that the offline site is accessible and loads without errors.
// Jupyter Book adds every .js file of _static to every page (in <head>, before the page body).
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-content_root") || "./";

  // 1. ipywidgets 8 typesets widget labels with MathJax 2's API (MathJax.Hub.Queue), but the
  //    book uses MathJax 3: give every MathJax object the page gets a Hub.Queue that calls
  //    MathJax 3 (MathJax 3 replaces the global object when it loads, hence the setter).
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        var el = Array.isArray(job) ? job[2] : null;
        var mj = window.MathJax;
        if (el && mj && mj.typesetPromise && mj.startup && mj.startup.promise) {
          mj.startup.promise.then(function () { return mj.typesetPromise([el]); }).catch(function () {});
        }
      }
    },
  };
  var current = window.MathJax;
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      get: function () { return current; },
      set: function (value) {
        if (value && typeof value === "object" && !value.Hub) value.Hub = hub;
        current = value;
      },
    });
    if (current && !current.Hub) current.Hub = hub;
  } catch (e) { /* leave MathJax alone */ }

  // 2. Accessible names that the theme's and the widgets' markup lack.
  function fix(scope) {
    // Slider handles (noUiSlider, role=slider) get the name of their widget's label.
    scope.querySelectorAll(".widget-slider .noUi-handle:not([aria-label])").forEach(function (h) {
      var slider = h.closest(".widget-slider");
      var label = slider && slider.querySelector(".widget-label");
      var name = label && label.textContent.trim();
      if (name) h.setAttribute("aria-label", name);
    });
  }
  function fixTheme() {
    // The search buttons show "Search this book... Ctrl+K" but are labelled "Search".
    document.querySelectorAll(".search-button-field[aria-label]").forEach(function (b) {
      b.removeAttribute("aria-label");
    });
    // Buttons, links and "show code" toggles whose aria-label differs from their visible text
    // (axe: label-content-name-mismatch): their visible text is the better name, so keep only it.
    document.querySelectorAll(".nav-link[aria-label], .theme-switch-button[aria-label], summary[aria-label]")
      .forEach(function (el) {
        var text = el.textContent.trim();
        var label = el.getAttribute("aria-label");
        if (text && label.toLowerCase().indexOf(text.toLowerCase()) < 0) el.removeAttribute("aria-label");
      });
    // The colour-mode button's icons carry titles ("Light", ...) that axe reads as its visible
    // text, which then does not match its label "Color mode": the icons are decorative.
    document.querySelectorAll(".theme-switch-button [title]").forEach(function (el) {
      el.removeAttribute("title");
      el.setAttribute("aria-hidden", "true");
    });
    // docutils marks the bibliography as role=list but its entries as doc-biblioentry (not listitem).
    document.querySelectorAll('.citation-list[role="list"] > .citation').forEach(function (el) {
      el.setAttribute("role", "listitem");
    });
    fix(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fixTheme);
  } else {
    fixTheme();
  }
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      records[i].addedNodes.forEach(function (n) { if (n.nodeType === 1) fix(n.parentNode || n); });
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
