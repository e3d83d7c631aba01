// Fagflyt's own scripts: conditional form fields and process diagrams. Everything works without them
// except the diagram; the server validates every submit regardless.
(function () {
  "use strict";

  function valueOf(form, name) {
    const inputs = form.querySelectorAll('[name="' + name + '"]');
    const values = [];
    inputs.forEach(function (el) {
      if ((el.type === "checkbox" || el.type === "radio")) { if (el.checked) values.push(el.type === "checkbox" && inputs.length === 1 ? true : el.value); }
      else values.push(el.value);
    });
    if (inputs.length === 1 && inputs[0].type === "checkbox") return values.length > 0;
    return inputs.length > 1 && inputs[0].type === "checkbox" ? values : (values[0] === undefined ? "" : values[0]);
  }

  function matches(cond, value) {
    const v = cond.value;
    switch (cond.op) {
      case "equals": return String(value) === String(v);
      case "not_equals": return String(value) !== String(v);
      case "in": return Array.isArray(v) && v.map(String).indexOf(String(value)) >= 0;
      case "not_in": return Array.isArray(v) && v.map(String).indexOf(String(value)) < 0;
      case "is_true": return value === true || value === "y" || value === "on";
      case "not_empty": return Array.isArray(value) ? value.length > 0 : value !== "" && value !== false;
      case "gt": return Number(value) > Number(v);
      case "ge": return Number(value) >= Number(v);
      case "lt": return Number(value) < Number(v);
      case "le": return Number(value) <= Number(v);
      default: return true;
    }
  }

  function updateVisibility(form) {
    form.querySelectorAll("[data-visible-when]").forEach(function (el) {
      if (!el.classList.contains("app-field")) return;
      let cond;
      try { cond = JSON.parse(el.getAttribute("data-visible-when")); } catch (e) { return; }
      el.hidden = !matches(cond, valueOf(form, cond.field));
    });
  }

  function initForms(root) {
    root.querySelectorAll("form.app-form").forEach(function (form) {
      updateVisibility(form);
      form.addEventListener("change", function () { updateVisibility(form); });
    });
    const summary = root.querySelector("#error-summary");
    if (summary) summary.focus();
  }

  function initDiagrams(root) {
    root.querySelectorAll("[data-diagram-url]").forEach(function (el) {
      if (el.dataset.drawn || typeof BpmnJS === "undefined") return;
      el.dataset.drawn = "pending";
      fetch(el.dataset.diagramUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) {
          const viewer = new BpmnJS({ container: el });
          return viewer.importXML(d.xml).then(function () {
            const canvas = viewer.get("canvas");
            const registry = viewer.get("elementRegistry");
            d.completed.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "app-done"); });
            d.active.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "app-active"); });
            canvas.zoom("fit-viewport");
            el.dataset.drawn = "yes";
            el.dataset.active = d.active.join(" ");
            el.dataset.completed = d.completed.join(" ");
          });
        })
        .catch(function () { el.dataset.drawn = "failed"; el.textContent = el.dataset.failedText || "—"; });
    });
  }

  function init(root) { initForms(root); initDiagrams(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
