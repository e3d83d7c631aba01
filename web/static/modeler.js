// The process owners' modeler: bpmn-js with a side panel for what matters in Fagflyt (name, form, due date,
// timers, messages, conditions), validation shown next to the diagram, drafts and deploy.
(function () {
  "use strict";

  const root = document.getElementById("modeler");
  if (!root) return;
  const texts = document.getElementById("modeler-texts").dataset;
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const status = document.getElementById("modeler-status");
  let modeler, moddle, modeling, registry, canvas, selected = null;

  function say(text) { status.textContent = text; }

  function post(url, xml) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: xml,
      headers: { "Content-Type": "application/xml", "X-CSRFToken": csrf, "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); });
  }

  function currentXml() { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); }

  // -- extension properties (spiffworkflow:properties) ----------------------------------------------
  function propertiesOf(bo, create) {
    let ext = bo.extensionElements;
    if (!ext && !create) return null;
    if (!ext) { ext = moddle.create("bpmn:ExtensionElements", { values: [] }); ext.$parent = bo; }
    ext.values = ext.values || [];
    let props = ext.values.find(function (v) { return v.$type === "spiffworkflow:Properties"; });
    if (!props && create) {
      props = moddle.create("spiffworkflow:Properties", { properties: [] }); props.$parent = ext; ext.values.push(props);
    }
    return props ? { ext: ext, props: props } : null;
  }

  function getProperty(bo, name) {
    const found = propertiesOf(bo, false);
    const prop = found && (found.props.properties || []).find(function (p) { return p.name === name; });
    return prop ? prop.value : "";
  }

  function setProperty(element, name, value) {
    const bo = element.businessObject;
    const found = propertiesOf(bo, true);
    const list = found.props.properties = found.props.properties || [];
    const index = list.findIndex(function (p) { return p.name === name; });
    if (!value && index >= 0) list.splice(index, 1);
    else if (value && index >= 0) list[index].value = value;
    else if (value) { const p = moddle.create("spiffworkflow:Property", { name: name, value: value }); p.$parent = found.props; list.push(p); }
    modeling.updateProperties(element, { extensionElements: found.ext });
  }

  // -- the side panel ----------------------------------------------------------------------------------
  const form = document.getElementById("properties-form");
  const field = function (id) { return document.getElementById(id); };

  function timerOf(bo) {
    const def = (bo.eventDefinitions || [])[0];
    return def && def.$type === "bpmn:TimerEventDefinition" ? def : null;
  }
  function messageOf(bo) {
    if (bo.$type === "bpmn:ReceiveTask" || bo.$type === "bpmn:SendTask") return bo;
    const def = (bo.eventDefinitions || [])[0];
    return def && def.$type === "bpmn:MessageEventDefinition" ? def : null;
  }

  function show(element) {
    selected = element;
    const empty = !element || element.type === "bpmn:Process" || element.type === "label";
    field("properties-empty").hidden = !empty;
    form.hidden = empty;
    if (empty) return;
    const bo = element.businessObject;
    field("prop-id").value = bo.id;
    field("prop-type").value = element.type.replace("bpmn:", "");
    field("prop-name").value = bo.name || "";
    const kinds = {
      lane: element.type === "bpmn:Lane", userTask: element.type === "bpmn:UserTask", timer: !!timerOf(bo),
      message: !!messageOf(bo), condition: element.type === "bpmn:SequenceFlow",
    };
    form.querySelectorAll("[data-for]").forEach(function (el) { el.hidden = !kinds[el.dataset.for]; });
    if (kinds.lane) {
      const lanes = JSON.parse(root.dataset.lanes || "{}");
      field("prop-role").value = lanes[(bo.name || "").trim().toLowerCase()] || "—";
    }
    if (kinds.userTask) {
      field("prop-formKey").value = getProperty(bo, "formKey");
      field("prop-dueDate").value = getProperty(bo, "dueDate");
    }
    if (kinds.timer) {
      const def = timerOf(bo);
      const kind = ["timeDate", "timeDuration", "timeCycle"].find(function (k) { return def[k]; }) || "timeDuration";
      field("prop-timerType").value = kind;
      field("prop-timer").value = def[kind] ? def[kind].body || "" : "";
    }
    if (kinds.message) {
      const ref = messageOf(bo).messageRef;
      field("prop-message").value = ref ? ref.name || ref.id : "";
      const keys = (modeler.getDefinitions().rootElements || []).filter(function (e) {
        return e.$type === "bpmn:CorrelationProperty" && (e.correlationPropertyRetrievalExpression || [])
          .some(function (x) { return x.messageRef === ref; });
      }).map(function (e) { return e.name || e.id; });
      field("prop-correlation").value = keys.join(", ") || "—";
    }
    if (kinds.condition) field("prop-condition").value = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
  }

  function bindPanel() {
    field("prop-name").addEventListener("change", function (e) { if (selected) modeling.updateLabel(selected, e.target.value); });
    field("prop-formKey").addEventListener("change", function (e) { if (selected) setProperty(selected, "formKey", e.target.value); });
    field("prop-dueDate").addEventListener("change", function (e) { if (selected) setProperty(selected, "dueDate", e.target.value.trim()); });
    function updateTimer() {
      const def = timerOf(selected.businessObject);
      const kind = field("prop-timerType").value;
      const values = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      values[kind] = moddle.create("bpmn:FormalExpression", { body: field("prop-timer").value.trim() });
      modeling.updateModdleProperties(selected, def, values);
    }
    field("prop-timerType").addEventListener("change", updateTimer);
    field("prop-timer").addEventListener("change", updateTimer);
    field("prop-message").addEventListener("change", function (e) {
      const holder = messageOf(selected.businessObject);
      if (holder && holder.messageRef) modeling.updateModdleProperties(selected, holder.messageRef, { name: e.target.value.trim() });
    });
    field("prop-condition").addEventListener("change", function (e) {
      const text = e.target.value.trim();
      modeling.updateProperties(selected, { conditionExpression: text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined });
    });
  }

  // -- validation, drafts, deploy ----------------------------------------------------------------------
  let marked = [];
  function showProblems(problems) {
    marked.forEach(function (id) { if (registry.get(id)) canvas.removeMarker(id, "app-problem"); });
    marked = [];
    const box = document.getElementById("problems");
    box.textContent = "";
    const p = document.createElement("p");
    p.className = "ds-paragraph";
    p.textContent = problems.length ? texts.invalid : texts.valid;
    box.appendChild(p);
    if (!problems.length) return;
    const list = document.createElement("ul");
    list.className = "app-problem-list";
    list.id = "problem-list";
    problems.forEach(function (problem) {
      const item = document.createElement("li");
      item.className = "ds-alert";
      item.dataset.color = "danger";
      item.dataset.elementId = problem.element_id || "";
      item.textContent = problem.text || problem.message;
      const element = problem.element_id && registry.get(problem.element_id);
      if (element) {
        canvas.addMarker(problem.element_id, "app-problem");
        marked.push(problem.element_id);
        const button = document.createElement("button");
        button.type = "button"; button.className = "ds-button"; button.dataset.variant = "tertiary"; button.dataset.size = "sm";
        button.textContent = texts.show;
        button.addEventListener("click", function () {
          modeler.get("selection").select(element);
          canvas.scrollToElement(element);
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(button);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function bindToolbar() {
    field("validate").addEventListener("click", function () {
      currentXml().then(function (xml) { return post(root.dataset.validateUrl, xml); })
        .then(function (r) { showProblems(r.body.problems || []); root.dataset.validated = r.body.valid ? "valid" : "invalid"; })
        .catch(function () { say(texts.failed); });
    });
    field("save-draft").addEventListener("click", function () {
      currentXml().then(function (xml) { return post(root.dataset.draftUrl, xml); })
        .then(function (r) { if (r.body.saved) say(texts.saved); else showProblems(r.body.problems || []); })
        .catch(function () { say(texts.failed); });
    });
    field("deploy").addEventListener("click", function () {
      currentXml().then(function (xml) { return post(root.dataset.deployUrl, xml); })
        .then(function (r) {
          if (r.body.deployed) { showProblems([]); say(texts.deployed.replace("{v}", r.body.version)); root.dataset.deployed = r.body.version; }
          else { showProblems(r.body.problems || []); root.dataset.validated = "invalid"; }
        })
        .catch(function () { say(texts.failed); });
    });
    field("download").addEventListener("click", function (e) {
      const link = e.currentTarget;
      if (link.dataset.ready) { delete link.dataset.ready; return; }
      e.preventDefault();
      currentXml().then(function (xml) {
        link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
        link.dataset.ready = "1";
        link.click();
      });
    });
  }

  function start() {
    Promise.all([
      fetch(root.dataset.moddleUrl).then(function (r) { return r.json(); }),
      fetch(root.dataset.xmlUrl, { credentials: "same-origin" }).then(function (r) { return r.text(); }),
    ]).then(function (loaded) {
      modeler = new BpmnJS({ container: "#canvas", moddleExtensions: { spiffworkflow: loaded[0] } });
      moddle = modeler.get("moddle"); modeling = modeler.get("modeling");
      registry = modeler.get("elementRegistry"); canvas = modeler.get("canvas");
      return modeler.importXML(loaded[1]);
    }).then(function () {
      canvas.zoom("fit-viewport");
      modeler.on("selection.changed", function (e) { show(e.newSelection[0] || null); });
      modeler.on("element.changed", function (e) { if (selected && e.element === selected) show(selected); });
      bindPanel(); bindToolbar();
      root.dataset.ready = "yes";
    }).catch(function (err) { say(texts.failed + " " + err); root.dataset.ready = "failed"; });
  }

  window.fagflytModeler = function () { return modeler; };
  start();
})();
