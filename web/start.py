"""Starting work: a new member-company lead, a new contract, or a concern raised from a case."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine import EngineError, NotFound
from workflows.starting import START_KINDS, case_facts, start

from . import task_forms
from .policy import Actor, can_work_task
from .services import case_engine

bp = Blueprint("start", __name__, url_prefix="/start")


@bp.get("")
def index() -> ResponseReturnValue:
    """The kinds of case that can be started here."""
    return render_template("start/index.html")


@bp.route("/<kind>", methods=["GET", "POST"])
def form(kind: str) -> ResponseReturnValue:
    """Start a lead or a contract (then open its first task), or raise a concern on a case with its form."""
    start_kind = START_KINDS.get(kind)
    if start_kind is None:
        abort(404)
    actor = Actor.current()
    engine = case_engine()
    if not start_kind.from_case:
        if request.method != "POST":
            return redirect(url_for("start.index"))
        result = start(engine, start_kind, actor.username)
        first = next((t for t in result.open_tasks if can_work_task(actor, t)), None)
        if first is None:
            flash(_("Case %(number)s is started.", number=result.case_number), "success")
            return redirect(url_for("cases.show", case_id=result.case_id))
        engine.claim(first.id, actor.username)
        flash(_("Case %(number)s is started; the first step is yours.", number=result.case_number), "success")
        return redirect(url_for("tasks.show", task_id=first.id))
    case_id = request.args.get("case", type=int)
    if case_id is None:
        abort(404)
    try:
        case = engine.case(case_id)
    except NotFound:
        abort(404)
    if case.status != "open" or case_facts(engine, case_id) is None:
        abort(404)
    definition = task_forms.definition(start_kind.form_key)
    assert definition is not None
    form = task_forms.build_form(definition, {})
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                start(engine, start_kind, actor.username, case_id=case_id, cleaned=form.cleaned_data)
            except EngineError as exc:
                flash(_("Nothing was started: %(reason)s", reason=exc.message), "error")
                return redirect(url_for("cases.show", case_id=case_id))
            flash(_("The concern is registered and conflict handling has started."), "success")
            return redirect(url_for("cases.show", case_id=case_id))
        status = 422
    return render_template("start/concern.html", case=case, form=form, definition=definition,
                           form_title=task_forms.title(definition, kind)), status
