"""Process owners change the office's processes: versions and case counts, the bpmn-js modeler with drafts,
validation that names elements, deploy of a new version, download/upload, and migrating running cases."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from engine import EngineError, InvalidState, NotFound, UnsafeDefinition
from engine.definitions import read_definition
from engine.models import ProcessInstance
from forms import load_registry
from workflows.catalog import ROLE_OF_LANE, shipped_files

from .i18n import current_locale
from .policy import Actor
from .services import case_engine

bp = Blueprint("processes", __name__, url_prefix="/processes")
MAX_UPLOAD = 2 * 1024 * 1024


def _shipped_hashes() -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in shipped_files().items()}


def _processes() -> list[dict[str, object]]:
    engine = case_engine()
    shipped = _shipped_hashes()
    drafts = engine.drafts()
    out = []
    for key, latest in sorted(engine.latest_definitions().items()):
        if latest.kind != "bpmn":
            continue
        versions = engine.versions(key)
        out.append({"key": key, "name": latest.name or key, "latest": latest, "versions": versions,
                    "shipped": next((v.version for v in versions if shipped.get(latest.filename) == v.sha256), None),
                    "draft": drafts.get(key), "running": sum(v.running for v in versions)})
    return out


@bp.get("")
def index() -> ResponseReturnValue:
    """Every process with its versions, who deployed them, and how many cases run on each."""
    return render_template("processes/index.html", processes=_processes())


@bp.get("/<key>")
def show(key: str) -> ResponseReturnValue:
    """One process: its versions with what changed in each, and its running cases by version."""
    engine = case_engine()
    versions = engine.versions(key)
    if not versions:
        abort(404)
    diffs = {}
    for newer, older in zip(versions, versions[1:], strict=False):
        diffs[newer.version] = engine.version_diff(older.id, newer.id)
    with engine.db.read() as s:
        running = list(s.execute(select(ProcessInstance.id, ProcessInstance.case_id, ProcessInstance.definition_id)
                                 .where(ProcessInstance.process_key == key, ProcessInstance.status == "running")
                                 .order_by(ProcessInstance.id.desc()).limit(200)))
    version_of = {v.id: v.version for v in versions}
    return render_template("processes/show.html", key=key, versions=versions, diffs=diffs,
                           running=[(i, c, version_of.get(d)) for i, c, d in running],
                           latest=versions[0], actor=Actor.current(), draft=engine.draft(key))


@bp.get("/<key>/modeler")
def modeler(key: str) -> ResponseReturnValue:
    """The bpmn-js modeler on the process's draft, or on its newest version."""
    engine = case_engine()
    try:
        latest = engine.definition(key)
    except NotFound:
        abort(404)
    registry = load_registry()
    form_keys = registry.keys()
    forms = [(k, registry.get(k).title.get(current_locale())) for k in form_keys]
    return render_template("processes/modeler.html", key=key, latest=latest, draft=engine.draft(key), forms=forms,
                           lanes=dict(ROLE_OF_LANE))


@bp.get("/<key>/xml")
def xml(key: str) -> ResponseReturnValue:
    """The XML of the draft (`?draft=1`) or of a version (`?version=N`, default newest); `?download=1` saves it."""
    engine = case_engine()
    if request.args.get("draft"):
        draft = engine.draft(key)
        if draft is None:
            abort(404)
        body, filename = draft.xml, draft.filename
    else:
        try:
            definition = engine.definition(key, request.args.get("version", type=int))
        except NotFound:
            abort(404)
        body, filename = definition.xml, definition.filename
    response = Response(body, mimetype="application/xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _posted_xml() -> str:
    text = request.get_data(as_text=True) if request.mimetype == "application/xml" else request.form.get("xml", "")
    if not text.strip():
        abort(400, description=_("No BPMN document was sent."))
    if len(text) > MAX_UPLOAD:
        abort(413)
    return text


def _problems_json(problems) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [p.to_dict() | {"text": str(p)} for p in problems]


@bp.post("/<key>/validate")
def validate(key: str) -> ResponseReturnValue:
    """Check an edit as a deploy would; the problems name their elements (nothing is stored)."""
    problems = case_engine().validate_edit(key, _posted_xml(), Actor.current().username)
    return jsonify(valid=not problems, problems=_problems_json(problems))


@bp.post("/<key>/draft")
def save_draft(key: str) -> ResponseReturnValue:
    """Keep the edit as the draft (refused unless it is safe XML for this process)."""
    try:
        draft = case_engine().save_draft(key, _posted_xml(), Actor.current().username)
    except UnsafeDefinition as exc:
        return jsonify(saved=False, problems=_problems_json(exc.problems or [exc])), 422
    return jsonify(saved=True, saved_at=draft.saved_at.isoformat())


@bp.post("/<key>/draft/delete")
def discard_draft(key: str) -> ResponseReturnValue:
    """Throw the draft away."""
    try:
        case_engine().discard_draft(key, Actor.current().username)
        flash(_("The draft is discarded."), "success")
    except NotFound:
        flash(_("There was no draft to discard."), "info")
    return redirect(url_for("processes.show", key=key))


@bp.post("/<key>/deploy")
def deploy(key: str) -> ResponseReturnValue:
    """Deploy the edit as a new version; refused with the problems while it is invalid."""
    engine = case_engine()
    text = _posted_xml()
    problems = engine.validate_edit(key, text, Actor.current().username)
    if problems:
        return jsonify(deployed=False, problems=_problems_json(problems)), 422
    try:
        result = engine.deploy_edit(key, text, Actor.current().username)
    except UnsafeDefinition as exc:
        return jsonify(deployed=False, problems=_problems_json(exc.problems or [exc])), 422
    created = next((d for d in result.created if d.key == key), None)
    if created is None:
        return jsonify(deployed=False, problems=[{"text": _("Nothing changed: this is the deployed version.")}]), 422
    return jsonify(deployed=True, version=created.version,
                   others=[f"{d.key} v{d.version}" for d in result.created if d.key != key])


@bp.post("/upload")
def upload() -> ResponseReturnValue:
    """Upload a .bpmn file: it becomes the draft of the process it defines, after the same hardened parsing."""
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a .bpmn file to upload."), "error")
        return redirect(url_for("processes.index"))
    data = file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash(_("The file is larger than 2 MB."), "error")
        return redirect(url_for("processes.index"))
    try:
        key = read_definition(file.filename, data).key
        case_engine().save_draft(key, data.decode("utf-8"), Actor.current().username)
    except (UnsafeDefinition, UnicodeDecodeError) as exc:
        flash(_("The file was refused: %(reason)s", reason=getattr(exc, "message", str(exc))), "error")
        return redirect(url_for("processes.index"))
    flash(_("The file is saved as the draft of %(key)s. Check it in the modeler and deploy it.", key=key),
          "success")
    return redirect(url_for("processes.modeler", key=key))


@bp.route("/<key>/migrate", methods=["GET", "POST"])
def migrate(key: str) -> ResponseReturnValue:
    """Check (GET) and move (POST) chosen running cases to a version; administrators only."""
    actor = Actor.current()
    if not actor.can("administer"):
        abort(404)
    engine = case_engine()
    ids = [int(i) for i in request.values.getlist("instance") if i.isdigit()][:100]
    to = request.values.get("to", type=int)
    try:
        target = engine.definition(key, to)
    except NotFound:
        abort(404)
    checks = []
    for instance_id in ids:
        try:
            checks.append(engine.migration_check(instance_id, target.id))
        except NotFound:
            abort(404)
    if request.method == "POST":
        moved = refused = 0
        for check in checks:
            try:
                engine.migrate(check.instance_id, target.id, actor.username)
                moved += 1
            except (InvalidState, EngineError):
                refused += 1
        flash(_("%(moved)s case(s) moved to version %(version)s; %(refused)s refused.", moved=moved,
                version=target.version, refused=refused), "success" if not refused else "warning")
        return redirect(url_for("processes.show", key=key))
    return render_template("processes/migrate.html", key=key, target=target, checks=checks)
