"""The only place Flask lives: the app factory, screens, templates, static assets and the CLI.

May import `engine`, `workflows` and `forms`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from config import Config, config_from_env

csrf = CSRFProtect()


def create_app(config_class: type[Config] | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Fagflyt web application."""
    cfg = config_class or config_from_env()
    app = Flask(__name__, instance_path=str(cfg.INSTANCE_PATH), instance_relative_config=False)
    app.config.from_object(cfg)
    app.config["SECRET_KEY"] = cfg.secret_key()
    app.config["DATABASE_URL"] = cfg.database_url()
    app.config.update(overrides or {})
    cfg.INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
    app.instance_path = str(cfg.INSTANCE_PATH)

    from . import (
        admin,
        assets,
        auth,
        cases,
        cli,
        db,
        errors,
        formatting,
        home,
        i18n,
        navigation,
        policy,
        processes,
        queues,
        services,
        start,
        tasks,
        worker,
    )

    services.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    policy.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    navigation.init_app(app)
    for blueprint in (assets.bp, home.bp, queues.bp, tasks.bp, cases.bp, start.bp, processes.bp, admin.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    worker.init_app(app)
    return app
