"""A fresh installation: schema by migrations, shipped processes deployed, a page that answers."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import Config, DevelopmentConfig
from tests.web.browsing import sign_in
from web import create_app
from web.schema import target_metadata
from workflows.catalog import shipped_files


def test_setup_migrates_and_deploys_then_is_idempotent(app, runner):
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "database is up to date" in first.output
    shipped = shipped_files()
    assert f"{len(shipped)} new version(s)" in first.output or not shipped
    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0 and "0 new version(s)" in again.output


def test_migrations_match_the_models(app, runner):
    assert runner.invoke(args=["upgrade-db"]).exit_code == 0
    engine = app.extensions["fagflyt.engine"].db.engine
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), target_metadata)
    assert diff == []


def test_front_page_asks_to_sign_in_and_health_answers(app, runner, client):
    runner.invoke(args=["setup"])
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert "Fagflyt" in client.get("/login").get_data(as_text=True)
    assert client.get("/health").get_json() == {"status": "ok"}


def test_create_user_command_makes_an_account_that_can_sign_in(app, runner, client):
    runner.invoke(args=["setup"])
    result = runner.invoke(args=["create-user", "Ola.Admin", "--name", "Ola Admin", "--role", "administrator",
                                 "--password", "a-long-secret-1"])
    assert result.exit_code == 0, result.output
    assert sign_in(client, "ola.admin", "a-long-secret-1").status_code == 302
    short = runner.invoke(args=["create-user", "kari", "--name", "K", "--role", "konsulent", "--password", "short"])
    assert short.exit_code != 0 and "10 characters" in short.output
    supervisor = runner.invoke(args=["create-user", "lise", "--name", "L", "--role", "faglig_leder",
                                     "--password", "a-long-secret-2"])
    assert supervisor.exit_code != 0 and "company" in supervisor.output


def test_unknown_page_is_a_plain_404_without_a_trace(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/nothing")
    assert api.status_code == 404 and api.get_json()["error"] == "not_found"


def test_production_refuses_to_start_without_a_secret(tmp_path, monkeypatch):
    class Production(Config):
        INSTANCE_PATH = tmp_path
        SECRET_KEY = ""

    with pytest.raises(RuntimeError, match="FAGFLYT_SECRET_KEY"):
        create_app(Production)


def test_development_secret_is_random_and_kept(tmp_path):
    class Dev(DevelopmentConfig):
        INSTANCE_PATH = tmp_path
        SECRET_KEY = ""

    first = Dev.secret_key()
    assert len(first) == 64 and first == Dev.secret_key()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_setup_with_demo_loads_reference_and_demo_data(app, runner):
    result = runner.invoke(args=["setup", "--demo"])
    assert result.exit_code == 0, result.output
    assert "reference data:" in result.output and "demo data:" in result.output
    assert "demo cases, contract_signing:" in result.output
    engine = app.extensions["fagflyt.engine"]
    roles = {t.role for t in engine.ready_tasks(limit=1000)}
    assert {"saksbehandler", "faglig_leder"} <= roles
    again = runner.invoke(args=["setup", "--demo"])
    assert "(0 row(s) created or updated)" in again.output and "demo cases" not in again.output
