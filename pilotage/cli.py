"""The one command line: ``pilotage db|demo|etl|privacy ...``. Each layer brings its own sub-app."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from dashapp.alerts.cli import app as alerts_app
from dashapp.alerts.cli import reports_app
from dashapp.cli import app as users_app
from dashapp.cli import serve
from dashapp.i18n.cli import app as i18n_app
from etl.cli import app as etl_app
from etl.cli import privacy_app
from forecasting.cli import app as forecast_app
from forecasting.planning.cli import app as plan_app

app = typer.Typer(help="Pilotage: marketing & sales steering.", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(etl_app, name="etl")
app.add_typer(users_app, name="users")
app.add_typer(forecast_app, name="forecast")
app.add_typer(plan_app, name="plan")
app.add_typer(privacy_app, name="privacy")
app.add_typer(alerts_app, name="alerts")
app.add_typer(reports_app, name="reports")
app.add_typer(i18n_app, name="i18n")
app.command()(serve)
console = Console(stderr=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Create or migrate the store's tables (Alembic) and seed the reference rows."""
    from etl.marts import rebuild_all
    from pilotage.settings import get_settings
    from pilotage.store.migrate import current_revision, upgrade

    upgrade(revision=revision, rebuild_marts=rebuild_all)
    url = get_settings().database_url
    console.print(f"store {url.split('@')[-1]} at revision {current_revision()}", highlight=False)
    if revision == "head":  # derived state that a load keeps (the forecast's interval state) exists from now on
        from pilotage.hooks import after_load
        from pilotage.store.engine import get_engine

        for note in after_load(get_engine()):
            console.print(f"[yellow]note[/] {note}", highlight=False)


@db_app.command("grant-readonly")
def db_grant_readonly(
    role: Annotated[str, typer.Argument(help="PostgreSQL role to create or update")],
    login: Annotated[bool, typer.Option("--login/--no-login", help="a role that connects itself (password "
                                        "from PILOTAGE_READONLY_PASSWORD, else asked for)")] = False,
) -> None:
    """Give a PostgreSQL role SELECT on the marts and their dimensions, and nothing else (for another BI tool)."""
    import os

    from pilotage.store.engine import get_engine
    from pilotage.store.readonly import ReadonlyRoleError, grant_readonly

    password = None
    if login:
        password = os.environ.get("PILOTAGE_READONLY_PASSWORD") or typer.prompt(
            f"password for {role}", hide_input=True, confirmation_prompt=True)
    try:
        grant = grant_readonly(get_engine(), role, password=password)
    except ReadonlyRoleError as error:
        console.print(f"[bold red]error[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    state = ("created" if grant.created else "updated") + (", can log in" if grant.login else ", NOLOGIN")
    console.print(f"role {grant.role} ({state}) reads: {', '.join(grant.tables)}", highlight=False)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="random seed: same seed, same company")] = 42,
    leads: Annotated[int | None, typer.Option(help="number of leads (default: 40,000 a year)")] = None,
    years: Annotated[int, typer.Option(help="years of history")] = 3,
    end: Annotated[str | None, typer.Option(help="last day of the history, YYYY-MM-DD (default: yesterday)")] = None,
) -> None:
    """Generate a realistic demo company and load it into the store."""
    import datetime as dt

    from etl.demo.load import load_demo

    try:
        last_day = dt.date.fromisoformat(end) if end else None
    except ValueError:
        raise typer.BadParameter(f"{end!r} is not a date (YYYY-MM-DD)", param_hint="--end") from None
    load_demo(seed=seed, leads=leads, years=years, end=last_day)
    from dashapp.demo_users import ensure_demo_users

    users = ensure_demo_users()  # `pilotage serve` lists them with their password
    if users:
        console.print(f"{len(users)} demo users ready (listed by `pilotage serve`)", highlight=False)
    from dashapp.alerts.demo import ensure_demo_rules

    rules = ensure_demo_rules()  # evaluated after the training, and by `pilotage alerts run`
    if rules:
        console.print(f"{len(rules)} example alert rules created (`pilotage alerts list`)", highlight=False)


def main() -> None:
    from etl.errors import EtlError
    from pilotage.input import InputError
    from pilotage.settings import SettingsError

    try:
        app()
    except (EtlError, InputError, SettingsError) as error:
        console.print(f"[bold red]error[/] {error}", highlight=False)
        raise SystemExit(1) from None
