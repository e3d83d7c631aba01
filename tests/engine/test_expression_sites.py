"""scan_specs finds every site SpiffWorkflow 3.2.0 evaluates; SafeScriptEngine guards them at run time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.util.task import TaskState

from engine.context import CallContext, engine_call
from engine.errors import UnsafeExpression
from engine.expressions import SafeScriptEngine, ServiceCall, ServiceRegistry, scan_specs
from tests.engine.bpmn_snippets import (
    business_rule_task,
    chain,
    definitions,
    dmn,
    gateway_process,
    message_parts,
    multi_instance,
    parse,
    script_task,
    service_task,
    task_with_scripts,
    timer_event,
    x,
)

UNSAFE = "__import__('os').system('id')"
SAFE_DMN = dmn([("< 18", "True"), (">= 18", "False")])


def scan(*content: str, dmn_doc: str | None = None, pid: str = "p") -> list:
    spec, subs = parse(definitions(*content), pid=pid, dmn_doc=dmn_doc)
    return scan_specs(spec, subs)


def only(problems: list, site: str, element_id: str) -> object:
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.site, problem.element_id) == (site, element_id), problem.to_dict()
    return problem


# -- one unsafe expression per site is reported, naming the element -------------------------------
def test_clean_definition_has_no_problems():
    roots, throw = message_parts(payload="{'case_id': case_id, 'signed': signed_on.isoformat()}")
    problems = scan(roots, chain(
        script_task("prepare", "signed_on = today()\ndeadline = add_days(signed_on, 14)"),
        task_with_scripts("review", pre="reviewed = False", post="reviewed = True"),
        timer_event("wait", '"P14D"'), timer_event("until", '"2026-09-01T09:00:00+02:00"', "timeDate"),
        timer_event("every", '"R3/P1D"', "timeCycle"), timer_event("computed", "iso_duration(days=days)"),
        throw, multi_instance("sign", cardinality="len(parties)", condition="all_signed"),
        multi_instance("each", data_input="parties", item="party"),
        service_task("lookup", "brreg_lookup", {"orgnr": "company['orgnr']"}),
        business_rule_task("decide", "guardian")), dmn_doc=SAFE_DMN)
    assert problems == []


def test_script_task():
    problems = scan(chain(script_task("calc", f"ok = 1\nx = {UNSAFE}", name="Calculate")))
    problem = only(problems, "script", "calc")
    assert problem.element_name == "Calculate" and problem.line == 2 and "__import__" in problem.message


def test_pre_script():
    problem = only(scan(chain(task_with_scripts("fill", pre=UNSAFE, name="Fill in"))), "pre-script", "fill")
    assert problem.element_name == "Fill in"


def test_post_script():
    only(scan(chain(task_with_scripts("fill", post=f"done = True\n{UNSAFE}"))), "post-script", "fill")


def test_gateway_condition():
    problem = only(scan(gateway_process(f"age >= 18 and {UNSAFE}")), "condition", "gw")
    assert problem.element_name == "Adult?" and "flow to 'adult'" in problem.message


def test_timer_duration_expression():
    problem = only(scan(chain(timer_event("wait", f'({UNSAFE}, "PT1H")[1]'))), "timer", "wait")
    assert "__import__" in problem.message


def test_message_payload_expression():
    roots, throw = message_parts(payload=f"{{'x': {UNSAFE}}}")
    only(scan(roots, chain(throw)), "message payload", "send")


def test_correlation_retrieval_expression():
    roots, throw = message_parts(retrieval=f"{UNSAFE} or case_id")
    problem = only(scan(roots, chain(throw)), "correlation", "send")
    assert "property 'case_id'" in problem.message


@pytest.mark.parametrize(("kwargs", "site"), [
    ({"cardinality": f"len({UNSAFE})"}, "loop cardinality"),
    ({"cardinality": "3", "condition": UNSAFE}, "completion condition"),
])
def test_multi_instance_expressions(kwargs, site):
    only(scan(chain(multi_instance("sign", **kwargs))), site, "sign")


def test_multi_instance_data_names_must_be_identifiers():
    problems = scan(chain(multi_instance("sign", data_input="parties", item="_party")))
    problem = only(problems, "loop data", "sign")
    assert "'_party' is not a usable data name" in problem.message


def test_dmn_input_entry():
    problems = scan(chain(business_rule_task("decide", "guardian")),
                    dmn_doc=dmn([(f"< 18 and {UNSAFE}", "True"), (">= 18", "False")]))
    problem = only(problems, "DMN input entry", "decide")
    assert "rule 1, input 'Age'" in problem.message and problem.element_name == "Decide"


def test_dmn_input_entry_using_question_mark():
    problems = scan(chain(business_rule_task("decide", "guardian")),
                    dmn_doc=dmn([(f"16 <= ? < 18 or {UNSAFE}", "True"), ("-", "False")]))
    only(problems, "DMN input entry", "decide")


def test_dmn_input_entry_attribute_trick_that_only_parses_after_concatenation():
    # Spiff evaluates `input + entry` when the entry does not parse alone: "age" + ".__class__"
    problems = scan(chain(business_rule_task("decide", "guardian")),
                    dmn_doc=dmn([(".__class__", "True"), ("-", "False")]))
    assert "'.__class__' is not allowed" in only(problems, "DMN input entry", "decide").message


def test_dmn_output_entry():
    problems = scan(chain(business_rule_task("decide", "guardian")),
                    dmn_doc=dmn([("< 18", UNSAFE), (">= 18", "False")]))
    assert "rule 1, output 'Guardian'" in only(problems, "DMN output entry", "decide").message


def test_dmn_input_expression():
    problems = scan(chain(business_rule_task("decide", "guardian")),
                    dmn_doc=dmn([("< 18", "True")], input_expression=f"{UNSAFE} or age"))
    only(problems, "DMN input expression", "decide")


def test_dmn_entry_glued_to_its_input_is_reported():
    problems = scan(chain(business_rule_task("decide", "guardian")),
                    dmn_doc=dmn([("in ['a', 'b']", "True"), (" in ['c']", "False")], input_expression="kind"))
    assert "kindin" in only(problems, "DMN input entry", "decide").message


def test_service_task_parameter():
    problem = only(scan(chain(service_task("lookup", "brreg", {"orgnr": "orgnr", "evil": UNSAFE}))),
                   "service parameter", "lookup")
    assert "parameter 'evil'" in problem.message


def test_task_property_evaluated_by_the_engine():
    user_task = ('<bpmn:userTask id="approve" name="Approve">'
                 "<bpmn:extensionElements><spiffworkflow:properties>"
                 f'<spiffworkflow:property name="dueDate" value="{x(UNSAFE)}"/>'
                 '<spiffworkflow:property name="formKey" value="approval"/>'
                 "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>")
    assert "property 'dueDate'" in only(scan(chain(user_task)), "task property", "approve").message


def test_signal_payload_and_conditional_event_and_loop_condition():
    signal = ('<bpmn:signal id="sig" name="cancelled">'
              "<bpmn:extensionElements><spiffworkflow:payloadExpression>"
              f"{x(UNSAFE)}</spiffworkflow:payloadExpression></bpmn:extensionElements></bpmn:signal>")
    throw = ('<bpmn:intermediateThrowEvent id="cancel" name="Cancel">'
             '<bpmn:signalEventDefinition id="sd" signalRef="sig"/></bpmn:intermediateThrowEvent>')
    conditional = ('<bpmn:intermediateCatchEvent id="until_ready" name="Until ready">'
                   "<bpmn:conditionalEventDefinition>"
                   f"<bpmn:condition>{x(UNSAFE)}</bpmn:condition></bpmn:conditionalEventDefinition>"
                   "</bpmn:intermediateCatchEvent>")
    loop = ('<bpmn:task id="repeat" name="Repeat"><bpmn:standardLoopCharacteristics>'
            f"<bpmn:loopCondition>{x(UNSAFE)}</bpmn:loopCondition>"
            "</bpmn:standardLoopCharacteristics></bpmn:task>")
    problems = scan(signal, chain(throw, conditional, loop))
    assert sorted((p.site, p.element_id) for p in problems) == [
        ("event condition", "until_ready"), ("loop condition", "repeat"), ("signal payload", "cancel")]


def test_subprocesses_are_scanned():
    sub = ('<bpmn:subProcess id="sub" name="Sub"><bpmn:startEvent id="s0"/>'
           + script_task("inner", UNSAFE, "Inner") +
           '<bpmn:endEvent id="s1"/><bpmn:sequenceFlow id="sf0" sourceRef="s0" targetRef="inner"/>'
           '<bpmn:sequenceFlow id="sf1" sourceRef="inner" targetRef="s1"/></bpmn:subProcess>')
    problem = only(scan(chain(sub)), "script", "inner")
    assert problem.file == "test.bpmn"


def test_ad_hoc_completion_condition():
    adhoc = ('<bpmn:adHocSubProcess id="adhoc" name="Collect papers"><bpmn:task id="doc" name="Document"/>'
             f"<bpmn:completionCondition>{x(UNSAFE)}</bpmn:completionCondition></bpmn:adHocSubProcess>")
    problem = only(scan(chain(adhoc)), "completion condition", "adhoc")
    assert problem.element_name == "Collect papers"


# -- timers: constants must be ISO-8601 --------------------------------------------------------------
def test_unquoted_duration_gets_a_helpful_message():
    problem = only(scan(chain(timer_event("wait", "P14D", name="Two weeks"))), "timer", "wait")
    assert 'did you mean "P14D" in quotes?' in problem.message and problem.element_name == "Two weeks"


@pytest.mark.parametrize(("expression", "kind", "fragment"), [
    ("R3/PT1H", "timeCycle", 'did you mean "R3/PT1H" in quotes?'),
    ("2026-09-01", "timeDate", 'did you mean "2026-09-01" in quotes?'),
    ('"P14"', "timeDuration", "is not an ISO-8601 duration"),
    ('"14 days"', "timeDuration", "is not an ISO-8601 duration"),
    ('"P1W2D"', "timeDuration", "is not an ISO-8601 duration"),
    ('"tomorrow"', "timeDate", "is not an ISO-8601 date and time"),
    ('"P14D"', "timeDate", "is not an ISO-8601 date and time"),
    ('"2026-09-01T09:00:00"', "timeDate", "has no time zone offset"),
    ('"PT1H"', "timeCycle", "is not an ISO-8601 repeating interval"),
])
def test_timer_constants_are_checked_with_spiffs_own_parser(expression, kind, fragment):
    assert fragment in only(scan(chain(timer_event("t", expression, kind))), "timer", "t").message


# -- run time: the engine refuses what the scan would have, and runs what it allows ------------------
def _run_manual_tasks(wf: BpmnWorkflow) -> None:
    wf.do_engine_steps()
    for _ in range(20):
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        if wf.completed or not ready:
            return
        for task in ready:
            task.run()
        wf.do_engine_steps()


def test_unscanned_unsafe_script_fails_at_run_time_and_does_nothing(tmp_path):
    flag = tmp_path / "pwned"
    attack = f"__import__('pathlib').Path({str(flag)!r}).touch()"
    doc = definitions(chain(script_task("evil", attack, name="Evil")))
    control = BpmnWorkflow(*parse(doc), script_engine=PythonScriptEngine())
    control.do_engine_steps()
    assert flag.exists()  # Spiff's own engine runs it: the test below can fail
    flag.unlink()

    wf = BpmnWorkflow(*parse(doc), script_engine=SafeScriptEngine())
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert "'__import__' is not allowed" in str(caught.value) and caught.value.line_number == 1
    assert wf.get_next_task(spec_name="evil").state == TaskState.ERROR
    assert not flag.exists()


def test_unscanned_unsafe_condition_fails_at_run_time():
    spec, subs = parse(definitions(gateway_process(f"{UNSAFE} == 0")))
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.exception, UnsafeExpression)
    assert wf.get_next_task(spec_name="gw").state == TaskState.ERROR


def _safe_case() -> str:
    return definitions(
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>'
        + script_task("prepare", "age = age_on(born, today())\nparties = [p.title() for p in names]")
        + business_rule_task("decide", "guardian")
        + '<bpmn:exclusiveGateway id="gw" name="Guardian?" default="f_no"/>'
        + service_task("notify", "notify_guardian", {"who": "parties[0]", "when": "today()"}, result="sent")
        + script_task("done", "note = 'guardian' if guardian_required else 'none'")
        + '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="decide"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="gw"/>'
        '<bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="notify">'
        "<bpmn:conditionExpression>guardian_required</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="done"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="done"/>'
        '<bpmn:sequenceFlow id="f4" sourceRef="done" targetRef="end"/></bpmn:process>')


@pytest.mark.parametrize(("born", "guardian"), [(date(2010, 5, 1), True), ("2000-05-01", False)])
def test_safe_workflow_with_script_condition_dmn_and_service_completes(born, guardian):
    calls: list[ServiceCall] = []

    def notify(call: ServiceCall) -> dict:
        calls.append(call)
        call.task_data["parties"].append("mutated")  # a copy: must not reach the workflow
        return {"to": call.params["who"], "on": call.params["when"], "at": datetime(2026, 8, 1, tzinfo=UTC)}

    services = ServiceRegistry()
    services.register("notify_guardian", notify)
    spec, subs = parse(_safe_case(), dmn_doc=SAFE_DMN)
    assert scan_specs(spec, subs) == []
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine(services=services))
    wf.get_tasks()[0].data.update({"born": born, "names": ["kari nordmann"]})
    ctx = CallContext(session=None, now=datetime(2026, 8, 1, 8, 0, tzinfo=UTC), actor="tester", case_id=7)
    with engine_call(ctx):
        _run_manual_tasks(wf)
    assert wf.completed
    data = wf.last_task.data
    assert data["guardian_required"] is guardian and data["note"] == ("guardian" if guardian else "none")
    assert data["parties"] == ["Kari Nordmann"]
    if guardian:
        assert data["sent"] == {"to": "Kari Nordmann", "on": "2026-08-01", "at": "2026-08-01T00:00:00+00:00"}
        assert calls[0].context is ctx and calls[0].operation == "notify_guardian"
    else:
        assert calls == [] and "sent" not in data


def test_unknown_service_operator_is_named():
    spec, subs = parse(definitions(chain(service_task("s", "no_such_op", {}))))
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())
    with pytest.raises(WorkflowTaskException, match="'no_such_op' is not registered"):
        wf.do_engine_steps()


def test_failing_service_handler_keeps_its_exception():
    def broken(call: ServiceCall) -> None:
        raise LookupError("register is down")

    services = ServiceRegistry()
    services.register("lookup", broken)
    wf = BpmnWorkflow(*parse(definitions(chain(service_task("s", "lookup", {})))),
                      script_engine=SafeScriptEngine(services))
    with pytest.raises(WorkflowTaskException, match="register is down") as caught:
        wf.do_engine_steps()
    assert isinstance(caught.value.exception, LookupError)
    assert caught.value.__cause__ is caught.value.exception
    assert wf.get_next_task(spec_name="s").state == TaskState.ERROR


def test_service_registry_refuses_duplicates_and_lists_names():
    services = ServiceRegistry()
    services.register("b", print)
    services.register("a", len)
    services.register("a", len)  # the same handler again is fine
    assert services.names() == ["a", "b"] and services.get("a") is len and services.get("c") is None
    with pytest.raises(ValueError, match="already registered"):
        services.register("a", print)


def test_multi_instance_cardinality_is_capped_at_run_time():
    wf = BpmnWorkflow(*parse(definitions(chain(multi_instance("sign", cardinality="n")))),
                      script_engine=SafeScriptEngine())
    wf.get_tasks()[0].data["n"] = 1_000_000
    with pytest.raises(WorkflowTaskException, match="cardinality must be a whole number from 0 to 1,000"):
        wf.do_engine_steps()
    assert len(wf.get_tasks()) < 20
