"""Command-line tasks: set up the database, deploy the shipped processes."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from workflows.accounts import AccountError, save_account
from workflows.catalog import shipped_files
from workflows.demo.cases import load_demo_cases
from workflows.demo.loader import load_demo_people_and_companies
from workflows.demo.users import DEMO_PASSWORD, load_demo_users
from workflows.records import UserRole
from workflows.reference_data import load_reference_data

from . import schema
from .services import case_engine


def init_app(app: Flask) -> None:
    """Register the `flask` sub-commands."""
    app.cli.add_command(upgrade_db)
    app.cli.add_command(deploy_workflows)
    app.cli.add_command(load_reference)
    app.cli.add_command(demo_data)
    app.cli.add_command(setup)
    app.cli.add_command(create_user)


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


@click.command("load-reference")
@with_appcontext
def load_reference() -> None:
    """Load or update the counties and trades (real reference data, needed in every installation)."""
    with Session(case_engine().db.engine) as session:
        summary = load_reference_data(session)
        session.commit()
    click.echo(f"reference data: {summary.changed} row(s) created or updated")


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load the demo office: the state agencies of OK stat, their people and apprentices (synthetic ids)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo data is for development and test installations only")
    engine = case_engine()
    today = engine.clock.now().date()
    with Session(engine.db.engine) as session:
        summary = load_demo_people_and_companies(session, today)
        users = load_demo_users(session)
        session.commit()
    click.echo(f"demo data: {summary.people} people, {sum(summary.companies_by_status.values())} companies "
               f"({summary.rows.changed} row(s) created or updated)")
    click.echo(f"demo users (password {DEMO_PASSWORD!r}): {', '.join(users.office)}, and {users.supervisors} "
               "supervisors who sign in with their e-mail address")
    cases = load_demo_cases(engine, today)
    for process, steps in cases.items():
        click.echo(f"demo cases, {process}: " + ", ".join(f"{n} at {step}" for step, n in steps.items()))


@click.command("setup")
@click.option("--demo", is_flag=True, help="also load the demo office (development only)")
@with_appcontext
@click.pass_context
def setup(ctx: click.Context, demo: bool) -> None:
    """Everything a fresh installation needs: schema, reference data, the shipped processes (and demo data)."""
    ctx.invoke(upgrade_db)
    ctx.invoke(load_reference)
    ctx.invoke(deploy_workflows)
    if demo:
        ctx.invoke(demo_data)


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="the name shown in the application")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in UserRole]),
              help="a role the user holds (repeat for several)")
@click.option("--email", default=None)
@click.option("--company", "company_orgnr", default=None, help="member company orgnr (supervisors)")
@click.password_option(help="asked for when not given")
@with_appcontext
def create_user(username: str, display_name: str, roles: tuple[str, ...], email: str | None,
                company_orgnr: str | None, password: str) -> None:
    """Create a user account, or update it (roles, name, password) if the username exists."""
    with Session(case_engine().db.engine) as session:
        try:
            save_account(session, username, display_name=display_name, roles=roles, password=password,
                         email=email, company_orgnr=company_orgnr)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f"user {username.lower()} saved with role(s) {', '.join(sorted(roles))}")
