"""The case page (parties, key data, open tasks and holders, history with submitted forms, comments,
diagrams), recording external answers, and finding cases."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from engine import EngineError, NotFound
from engine.models import Case, CaseField
from workflows.conventions import message_payload

from . import task_forms
from .policy import Actor
from .services import case_engine

bp = Blueprint("cases", __name__, url_prefix="/cases")
SEARCH_LIMIT = 50


def _case_or_404(case_id: int) -> Case:
    try:
        return case_engine().case(case_id)
    except NotFound:
        abort(404)


def _answers(case_id: int) -> list[tuple[str, str]]:
    """(message name, form title) of the answers the case waits for that have a form to record them."""
    out = []
    for name in case_engine().waiting_messages(case_id):
        form = task_forms.definition(name)
        if form is not None:
            out.append((name, task_forms.title(form, name)))
    return out


@bp.get("/<int:case_id>")
def show(case_id: int) -> ResponseReturnValue:
    """Everything about one case on one page."""
    engine = case_engine()
    case = _case_or_404(case_id)
    history = []
    for entry in reversed(engine.history(case_id)):
        form_key = entry.form_key or (entry.detail if entry.action == "message_received" else None)
        fields = task_forms.readonly(form_key, entry.data) if form_key and entry.data else []
        what = entry.task_title or (task_forms.title(task_forms.definition(form_key), form_key or "")
                                    if entry.action == "message_received" else None)
        history.append({"entry": entry, "fields": fields, "what": what})
    instances = engine.instances(case_id)
    return render_template("cases/show.html", case=case, tasks=engine.ready_tasks(case_id=case_id), history=history,
                           instances=instances, answers=_answers(case_id), actor=Actor.current(),
                           now=engine.clock.now(), incidents=engine.incidents(case_id))


@bp.get("/<int:case_id>/diagram/<int:instance_id>")
def diagram(case_id: int, instance_id: int) -> ResponseReturnValue:
    """The BPMN XML of one of the case's processes with its completed and active steps (JSON for bpmn-js)."""
    _case_or_404(case_id)
    if instance_id not in {i.id for i in case_engine().instances(case_id)}:
        abort(404)
    d = case_engine().diagram(instance_id)
    return jsonify(xml=d.xml, completed=d.completed, active=d.active, key=d.definition_key,
                   version=d.definition_version)


@bp.post("/<int:case_id>/comments")
def comment(case_id: int) -> ResponseReturnValue:
    """Add a comment to the case's history."""
    _case_or_404(case_id)
    text = request.form.get("text", "").strip()
    if not text:
        flash(_("Write a comment first."), "error")
    elif len(text) > 4000:
        flash(_("A comment can be at most 4000 characters."), "error")
    else:
        case_engine().comment(case_id, Actor.current().username, text)
        flash(_("Comment added."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#history")


@bp.route("/<int:case_id>/answers/<message>", methods=["GET", "POST"])
def record(case_id: int, message: str) -> ResponseReturnValue:
    """Record an external answer (the county's decision, the board's result …) the case waits for."""
    case = _case_or_404(case_id)
    if message not in dict(_answers(case_id)):
        abort(404)
    definition = task_forms.definition(message)
    assert definition is not None
    data = _latest_data(case_id)
    form = task_forms.build_form(definition, data)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                case_engine().deliver_message(message, message_payload(message, form.cleaned_data or {}),
                                              Actor.current().username, case_id=case_id)
            except EngineError as exc:
                flash(_("The answer was not recorded: %(reason)s", reason=exc.message), "error")
                return redirect(url_for("cases.show", case_id=case_id))
            flash(_("“%(title)s” is recorded.", title=task_forms.title(definition, message)), "success")
            return redirect(url_for("cases.show", case_id=case_id))
        status = 422
    return render_template("cases/record.html", case=case, form=form, definition=definition,
                           form_title=task_forms.title(definition, message), message=message), status


def _latest_data(case_id: int) -> dict[str, object]:
    """The data of the case's newest open task (for forms that compare with earlier results)."""
    tasks = case_engine().ready_tasks(case_id=case_id, limit=1)
    return case_engine().task_data(tasks[0].id) if tasks else {}


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Find cases by case number, name, organisation number or national id (ids masked in the list)."""
    text = request.args.get("q", "").strip()[:100]
    rows: list[Case] = []
    if text:
        engine = case_engine()
        digits = text.replace(" ", "")
        with engine.db.read() as s:
            q = select(Case).order_by(Case.updated_at.desc()).limit(SEARCH_LIMIT)
            if digits.isdigit() and len(digits) in (9, 11):
                q = q.where(Case.id.in_(select(CaseField.case_id).where(CaseField.value == digits)))
            else:
                like = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                q = q.where(or_(func.lower(Case.number) == text.lower(), func.lower(Case.title).like(like, escape="\\"),
                                Case.id.in_(select(CaseField.case_id).where(
                                    CaseField.name.in_(("apprentice_name", "company_name")),
                                    func.lower(CaseField.value).like(like, escape="\\")))))
            rows = list(s.scalars(q))
    return render_template("cases/search.html", q=text, rows=rows, limit=SEARCH_LIMIT)
