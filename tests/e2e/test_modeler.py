"""A process owner edits a shipped process in the browser modeler and deploys it: new cases take the change,
cases already running keep their version."""

from __future__ import annotations

import re

import pytest

from engine.queues import TaskQuery
from tests.e2e.conftest import describe, serious_violations, sign_in

pytestmark = pytest.mark.e2e
KEY = "contract_signing"
INSERT_TASK = """() => {
  const modeler = window.fagflytModeler();
  const registry = modeler.get('elementRegistry');
  const modeling = modeler.get('modeling');
  const draft = registry.get('cs_draft');
  const flow = draft.incoming.find(c => c.source.id === 'cs_start') || draft.incoming[0];
  modeling.moveElements([draft], {x: 160, y: 0});
  const shape = modeling.createShape({type: 'bpmn:UserTask'},
    {x: draft.x - 90, y: draft.y + draft.height / 2}, draft.parent);
  modeling.reconnectEnd(flow, shape, {x: shape.x, y: shape.y + shape.height / 2});
  modeling.connect(shape, draft);
  modeler.get('selection').select(shape);
  return shape.id;
}"""


def _element(page, element_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#canvas g.djs-element[data-element-id='{element_id}']")


def test_owner_renames_and_adds_a_task_validates_and_deploys(live_app, base_url, new_page):
    engine = live_app.extensions["fagflyt.engine"]
    old = engine.queue(TaskQuery(roles=("saksbehandler",), process_key=KEY, spec_name="cs_draft", per_page=1)).rows
    assert old, "the demo has a contract waiting to be drafted"
    old_case = old[0].task.case_id

    page = new_page()
    sign_in(page, base_url, "per.prosesseier")
    page.goto(f"{base_url}/processes")
    page.click(f"#process-{KEY} a:has-text('modell')")
    page.wait_for_selector("#modeler[data-ready='yes']")

    # rename a task in the side panel
    _element(page, "cs_draft").click()
    page.wait_for_selector("#properties-form:not([hidden])")
    assert page.input_value("#prop-id") == "cs_draft"
    page.fill("#prop-name", "Sett opp lærekontrakten")
    page.press("#prop-name", "Tab")

    # add a user task before it and give it a name and a form
    new_id = page.evaluate(INSERT_TASK)
    page.wait_for_function(f"document.getElementById('prop-id').value === '{new_id}'")
    page.fill("#prop-name", "Kontroller grunnlaget")
    page.press("#prop-name", "Tab")
    page.select_option("#prop-formKey", "contract.guardian_informed")

    page.click("#validate")
    page.wait_for_selector("#modeler[data-validated]")
    problems = page.inner_text("#problems")
    assert page.get_attribute("#modeler", "data-validated") == "valid", problems

    page.click("#deploy")
    page.wait_for_selector("#modeler[data-deployed]")
    assert page.get_attribute("#modeler", "data-deployed") == "2"
    assert engine.definition(KEY).version == 2

    # a new case takes the new version; the older one stays on its own
    handler = new_page()
    sign_in(handler, base_url, "sara.saksbehandler")
    handler.goto(f"{base_url}/start")
    handler.click("form[action='/start/contract'] button")
    handler.wait_for_load_state("networkidle")
    task_id = re.search(r"/tasks/([0-9a-f-]{36})", handler.url)
    new_case = engine.task(task_id.group(1)).case_id if task_id else int(handler.url.rsplit("/", 1)[1])
    handler.goto(f"{base_url}/cases/{new_case}")
    assert "Kontroller grunnlaget" in handler.inner_text("#case-tasks")
    handler.goto(f"{base_url}/cases/{old_case}")
    old_tasks = handler.inner_text("#case-tasks")
    assert "Kontroller grunnlaget" not in old_tasks and "Sett opp kontrakten" in old_tasks


def test_invalid_edit_is_refused_with_the_element_marked(live_app, base_url, new_page):
    page = new_page()
    sign_in(page, base_url, "per.prosesseier")
    page.goto(f"{base_url}/processes/{KEY}/modeler")
    page.wait_for_selector("#modeler[data-ready='yes']")
    _element(page, "cs_draft").click()
    page.wait_for_selector("#properties-form:not([hidden])")
    page.select_option("#prop-formKey", "")  # a user task without a form
    page.click("#deploy")
    page.wait_for_selector("#problem-list")
    assert page.locator("#problem-list [data-element-id='cs_draft']").count() >= 1
    assert page.locator("#canvas g.djs-element.app-problem[data-element-id='cs_draft']").count() == 1
    assert live_app.extensions["fagflyt.engine"].definition(KEY).version == 1


def test_process_pages_have_no_serious_accessibility_violations(live_app, base_url, new_page):
    page = new_page()
    sign_in(page, base_url, "per.prosesseier")
    for path in ("/processes", f"/processes/{KEY}", f"/processes/{KEY}/modeler"):
        page.goto(f"{base_url}{path}")
        if "modeler" in path:
            page.wait_for_selector("#modeler[data-ready='yes']")
        violations = serious_violations(page, base_url)
        assert not violations, f"{path}: {describe(violations)}"
