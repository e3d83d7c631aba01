"""Error pages and JSON error bodies: specific messages, never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine import EngineError, InvalidState, NotFound, TaskConflict, UnsafeDefinition

STATUS = {NotFound: 404, TaskConflict: 409, InvalidState: 409, UnsafeDefinition: 422}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register handlers that turn engine errors and HTTP errors into clear responses."""

    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):  # type: ignore[no-untyped-def]
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        if _wants_json():
            return jsonify(exc.to_dict()), status
        return render_template("error.html", status=status, message=exc.message), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify({"error": exc.name.lower().replace(" ", "_"), "message": exc.description}), exc.code
        return render_template("error.html", status=exc.code, message=exc.description), exc.code
