"""Acting as the office's users in demo data: every submission goes through its form, as on screen."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine import CaseEngine
from forms import load_registry
from workflows.conventions import message_payload, task_payload

CASE_HANDLER = "sara.saksbehandler"
CONSULTANT = "kari.konsulent"


class DemoActor:
    """Completes tasks and records answers through the engine, validating each with its form."""

    def __init__(self, engine: CaseEngine, today: date) -> None:
        self.engine = engine
        self.today = today
        self.forms = load_registry()

    def clean(self, form_key: str, data: dict[str, Any], context: dict[str, Any] | None = None) -> dict[str, Any]:
        """The form's cleaned data; demo data that a user could not submit is a bug, so it raises."""
        ctx = {"today": self.today, "allow_synthetic_fnr": True, **(context or {})}
        cleaned, errors = self.forms.get(form_key).validate(data, "nb", context=ctx)
        if errors:
            raise ValueError(f"demo data for {form_key} is invalid: {errors}")
        return cleaned

    def open_task(self, case_id: int, form_key: str):
        """The open task of the case asking for `form_key`, or None."""
        return next((t for t in self.engine.ready_tasks(case_id=case_id) if t.form_key == form_key), None)

    def submit(self, case_id: int, form_key: str, data: dict[str, Any], actor: str = CASE_HANDLER,
               context: dict[str, Any] | None = None) -> bool:
        """Complete the open task for `form_key` if there is one; return whether it was there."""
        task = self.open_task(case_id, form_key)
        if task is None:
            return False
        self.engine.complete_task(task.id, task_payload(form_key, self.clean(form_key, data, context)), actor)
        return True

    def record(self, case_id: int, message: str, data: dict[str, Any], actor: str = CASE_HANDLER,
               context: dict[str, Any] | None = None) -> None:
        """Record an external answer (the county's decision …) on the case."""
        self.engine.deliver_message(message, message_payload(message, self.clean(message, data, context)), actor,
                                    case_id=case_id)
