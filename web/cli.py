"""Command-line tasks: set up the database, deploy the shipped processes."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from workflows.catalog import shipped_files

from . import schema
from .services import case_engine


def init_app(app: Flask) -> None:
    """Register the `flask` sub-commands."""
    app.cli.add_command(upgrade_db)
    app.cli.add_command(deploy_workflows)
    app.cli.add_command(setup)


@click.command("upgrade-db")
@with_appcontext
def upgrade_db() -> None:
    """Create or migrate the database to the newest schema."""
    schema.upgrade(case_engine().db.engine)
    click.echo("database is up to date")


@click.command("deploy-workflows")
@with_appcontext
@click.option("--by", default="fagflyt", help="who the deploy is recorded as")
def deploy_workflows(by: str) -> None:
    """Deploy the shipped BPMN/DMN files whose content changed since the last deploy."""
    files = shipped_files(current_app.config["WORKFLOWS_PATH"])
    result = case_engine().deploy(files, by)
    for d in result.created:
        click.echo(f"deployed {d.key} v{d.version} ({d.filename})")
    click.echo(f"{len(result.created)} new version(s), {len(result.unchanged)} unchanged")


@click.command("setup")
@with_appcontext
@click.pass_context
def setup(ctx: click.Context) -> None:
    """Everything a fresh installation needs: schema, then the shipped processes."""
    ctx.invoke(upgrade_db)
    ctx.invoke(deploy_workflows)
