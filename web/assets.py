"""Front-end packages from npm (web/assets/package.json), served by name from node_modules.

Only the files listed here are reachable. `make run` / `make test` install them with `npm ci`; nothing
from these packages is copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("assets", __name__)
NODE_MODULES = Path(__file__).parent / "assets" / "node_modules"

# public name -> (package folder, path inside it); a trailing "/" maps a whole folder (fonts, css).
VENDOR_FILES: dict[str, tuple[str, str]] = {
    "designsystemet.css": ("@digdir/designsystemet-css/dist/src", "index.css"),
    "designsystemet-theme.css": ("@digdir/designsystemet-css/dist/theme", "designsystemet.css"),
    "htmx.min.js": ("htmx.org/dist", "htmx.min.js"),
    "bpmn-viewer.js": ("bpmn-js/dist", "bpmn-navigated-viewer.production.min.js"),
    "bpmn-modeler.js": ("bpmn-js/dist", "bpmn-modeler.production.min.js"),
    "bpmn-js/": ("bpmn-js/dist/assets", ""),
    "axe.min.js": ("axe-core", "axe.min.js"),
}


def resolve(name: str) -> tuple[Path, str] | None:
    """The folder and file name behind a public vendor name, or None if it is not served."""
    if name in VENDOR_FILES and not name.endswith("/"):
        folder, file = VENDOR_FILES[name]
        return NODE_MODULES / folder, file
    prefix, _, rest = name.partition("/")
    if f"{prefix}/" in VENDOR_FILES and rest:
        folder, _unused = VENDOR_FILES[f"{prefix}/"]
        return NODE_MODULES / folder, rest
    return None


@bp.get("/vendor/<path:name>")
def vendor(name: str) -> ResponseReturnValue:
    """Serve one listed front-end file (send_from_directory refuses paths that leave the folder)."""
    found = resolve(name)
    if found is None:
        abort(404)
    folder, file = found
    if not folder.is_dir():
        current_app.logger.error("front-end packages are missing: run `make install` (npm ci in web/assets)")
        abort(404)
    return send_from_directory(folder, file, max_age=86400)
