"""Small BPMN and DMN documents for the expression tests, and a helper that parses them like a deploy."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from engine.xmlsafe import parse_xml

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def x(text: str) -> str:
    """Escape text for an XML element body."""
    return escape(text)


def a(text: str) -> str:
    """Quote text for an XML attribute (quotes included)."""
    return quoteattr(text)


def definitions(*content: str) -> str:
    """A bpmn:definitions document holding `content` (processes, messages, correlation properties)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NAMESPACES} id="defs" '
            f'targetNamespace="http://fagflyt.test">\n' + "\n".join(content) + "\n</bpmn:definitions>")


def chain(*nodes: str, pid: str = "p", name: str = "Test process") -> str:
    """A process start -> nodes... -> end, the flows added between consecutive nodes."""
    ids = ["start", *(re.search(r'\bid="([^"]+)"', n)[1] for n in nodes), "end"]  # type: ignore[index]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{s}" targetRef="{t}"/>\n'
                    for i, (s, t) in enumerate(zip(ids, ids[1:], strict=False)))
    return (f'<bpmn:process id="{pid}" name="{name}" isExecutable="true">\n<bpmn:startEvent id="start"/>\n'
            + "\n".join(nodes) + '\n<bpmn:endEvent id="end"/>\n' + flows + "</bpmn:process>")


def script_task(task_id: str, script: str, name: str = "Script") -> str:
    """A bpmn:scriptTask."""
    return (f'<bpmn:scriptTask id="{task_id}" name="{name}"><bpmn:script>{x(script)}</bpmn:script>'
            "</bpmn:scriptTask>")


def task_with_scripts(task_id: str, pre: str | None = None, post: str | None = None, name: str = "Task",
                      tag: str = "task") -> str:
    """A task with spiffworkflow pre- and post-scripts."""
    ext = (f"<spiffworkflow:preScript>{x(pre)}</spiffworkflow:preScript>" if pre is not None else "") + \
        (f"<spiffworkflow:postScript>{x(post)}</spiffworkflow:postScript>" if post is not None else "")
    return (f'<bpmn:{tag} id="{task_id}" name="{name}"><bpmn:extensionElements>{ext}</bpmn:extensionElements>'
            f"</bpmn:{tag}>")


def timer_event(event_id: str, expression: str, kind: str = "timeDuration", name: str = "Wait") -> str:
    """An intermediate catch event with a timer."""
    return (f'<bpmn:intermediateCatchEvent id="{event_id}" name="{name}">'
            f'<bpmn:timerEventDefinition id="{event_id}_def"><bpmn:{kind}>{x(expression)}</bpmn:{kind}>'
            "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")


def service_task(task_id: str, operator: str, params: dict[str, str], result: str = "result",
                 name: str = "Service") -> str:
    """A spiffworkflow service task; params maps parameter name to its value expression."""
    ps = "".join(f'<spiffworkflow:parameter id="{k}" type="any" value={a(v)}/>' for k, v in params.items())
    return (f'<bpmn:serviceTask id="{task_id}" name="{name}"><bpmn:extensionElements>'
            f'<spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="{result}">'
            f"<spiffworkflow:parameters>{ps}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
            f"</bpmn:extensionElements></bpmn:serviceTask>")


def business_rule_task(task_id: str, decision: str, name: str = "Decide") -> str:
    """A business rule task calling a DMN decision."""
    return (f'<bpmn:businessRuleTask id="{task_id}" name="{name}"><bpmn:extensionElements>'
            f"<spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>"
            f"</bpmn:extensionElements></bpmn:businessRuleTask>")


def gateway_process(condition: str, pid: str = "p") -> str:
    """start -> exclusive gateway 'Adult?' -> (condition) adult | (default) minor -> end."""
    return (f'<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="start"/>'
            '<bpmn:exclusiveGateway id="gw" name="Adult?" default="f_minor"/>'
            + script_task("adult", 'branch = "adult"', "Adult")
            + script_task("minor", 'branch = "minor"', "Minor") +
            '<bpmn:endEvent id="end"/>'
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>'
            f'<bpmn:sequenceFlow id="f_adult" sourceRef="gw" targetRef="adult">'
            f"<bpmn:conditionExpression>{x(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>"
            '<bpmn:sequenceFlow id="f_minor" sourceRef="gw" targetRef="minor"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="adult" targetRef="end"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="minor" targetRef="end"/></bpmn:process>')


def message_parts(payload: str | None = None, retrieval: str = "case_id") -> tuple[str, str]:
    """(root elements, throw event): a message with a correlation property and a throw event sending it."""
    roots = ('<bpmn:message id="msg" name="contract_signed"/>'
             '<bpmn:correlationProperty id="case_id" name="Case id">'
             '<bpmn:correlationPropertyRetrievalExpression messageRef="msg">'
             f"<bpmn:formalExpression>{x(retrieval)}</bpmn:formalExpression>"
             "</bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>")
    ext = "" if payload is None else (f"<bpmn:extensionElements><spiffworkflow:messagePayload>{x(payload)}"
                                      "</spiffworkflow:messagePayload></bpmn:extensionElements>")
    throw = (f'<bpmn:intermediateThrowEvent id="send" name="Send"><bpmn:messageEventDefinition id="send_def" '
             f'messageRef="msg">{ext}</bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>')
    return roots, throw


def multi_instance(task_id: str, cardinality: str | None = None, condition: str | None = None,
                   data_input: str | None = None, item: str | None = None, name: str = "Sign") -> str:
    """A parallel multi-instance task."""
    body = ""
    if cardinality is not None:
        body += f"<bpmn:loopCardinality>{x(cardinality)}</bpmn:loopCardinality>"
    if data_input is not None:
        body += f"<bpmn:loopDataInputRef>{data_input}</bpmn:loopDataInputRef>"
    if item is not None:
        body += f'<bpmn:inputDataItem id="{item}" name="{item}"/>'
    if condition is not None:
        body += f"<bpmn:completionCondition>{x(condition)}</bpmn:completionCondition>"
    return (f'<bpmn:task id="{task_id}" name="{name}"><bpmn:multiInstanceLoopCharacteristics>{body}'
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:task>")


def dmn(rules: list[tuple[str, str]], input_expression: str = "age", decision: str = "guardian",
        output: str = "guardian_required") -> str:
    """A one-input, one-output DMN 1.3 decision table; rules are (input entry, output entry) texts."""
    rows = "".join(f'<rule id="r{i}"><inputEntry id="ie{i}"><text>{x(inp)}</text></inputEntry>'
                   f'<outputEntry id="oe{i}"><text>{x(out)}</text></outputEntry></rule>'
                   for i, (inp, out) in enumerate(rules))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_defs" name="DRD" '
            'namespace="http://fagflyt.test/dmn">'
            f'<decision id="{decision}" name="Guardian needed"><decisionTable id="table">'
            f'<input id="in_age" label="Age"><inputExpression id="in_age_expr" typeRef="integer">'
            f"<text>{x(input_expression)}</text></inputExpression></input>"
            f'<output id="out" label="Guardian" name="{output}" typeRef="boolean"/>'
            f"{rows}</decisionTable></decision></definitions>")


def parse(bpmn: str, pid: str = "p", dmn_doc: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Parse documents as a deploy does (hardened XML, SpiffBpmnParser with XSD validation)."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    if dmn_doc is not None:
        parser.add_dmn_xml(parse_xml(dmn_doc, "test.dmn"), "test.dmn")
    parser.add_bpmn_xml(parse_xml(bpmn, "test.bpmn"), "test.bpmn")
    return parser.get_spec(pid), parser.get_subprocess_specs(pid)
