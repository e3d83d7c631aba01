"""The conventions shared by the BPMN files, the service handlers and the screens (see workflows/README.md)."""

from __future__ import annotations

from typing import Any


def form_variable(form_key: str) -> str:
    """The task-data variable a submitted form is stored under: "contract.draft" -> "contract_draft"."""
    return form_key.replace(".", "_").replace("-", "_")


def task_payload(form_key: str, cleaned: dict[str, Any]) -> dict[str, Any]:
    """What completing a task with a form puts into the process: the form's data under its own variable."""
    return {form_variable(form_key): cleaned}


def message_payload(message_name: str, cleaned: dict[str, Any]) -> dict[str, Any]:
    """An external answer recorded by a case handler: the form's data is the message's payload.

    The catch event's `messageVariable` (the form variable, e.g. `contract_county_decision`) names it.
    """
    return dict(cleaned)
