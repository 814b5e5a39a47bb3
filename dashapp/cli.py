"""``pilotage users ...`` and ``pilotage serve``: the app's side of the command line."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

app = typer.Typer(help="Users of the app: roles (director, planner, sales, admin) and scopes.", no_args_is_help=True)
console = Console()


def _fail(error: Exception) -> None:
    console.print(f"[bold red]error[/] {error}", highlight=False)
    raise typer.Exit(1)


@app.command("add")
def add(
    email: str,
    role: Annotated[str, typer.Option(help="director, planner, sales or admin")],
    scope: Annotated[str, typer.Option(help="region codes separated by commas, or 'all'")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    password: Annotated[str | None, typer.Option(help="asked for when not given", hide_input=True)] = None,
) -> None:
    """Create a user."""
    from .auth.users import UserError, add_user

    password = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = add_user(email, password, role, scope, name=name, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"added {user.email} ({user.role}, scope {','.join(user.scope) or 'none'})", highlight=False)


@app.command("list")
def list_() -> None:
    """List users with their role, scope and state."""
    from .auth.users import list_users

    # E-mails and roles never cut, scopes folded rather than cut: nothing is lost in a narrow terminal or a pipe.
    table = Table(Column("e-mail", no_wrap=True), "name", Column("role", no_wrap=True),
                  Column("scope", overflow="fold"), "active", "language")
    for user in list_users():
        table.add_row(user.email, user.name, user.role, ",".join(user.scope) or "(none)",
                      "yes" if user.active else "no", user.language or "browser")
    console.print(table)


@app.command("set-role")
def set_role(email: str, role: str) -> None:
    """Change a user's role."""
    from .auth.users import UserError
    from .auth.users import set_role as change

    try:
        change(email, role, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"{email}: role {role}")


@app.command("set-scope")
def set_scope(email: str, scope: Annotated[str, typer.Argument(help="region codes separated by commas, or 'all'")]):
    """Change the regions a user sees (a region includes its sub-regions)."""
    from .auth.users import UserError
    from .auth.users import set_scope as change

    try:
        user = change(email, scope, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"{email}: scope {','.join(user.scope) or '(none)'}")


@app.command("disable")
def disable(email: str) -> None:
    """Stop a user from logging in (their open sessions end at their next request)."""
    from .auth.users import UserError, set_active

    try:
        set_active(email, False, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"{email}: disabled")


@app.command("enable")
def enable(email: str) -> None:
    """Let a disabled or locked user log in again."""
    from .auth.users import UserError, set_active

    try:
        set_active(email, True, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"{email}: enabled")


@app.command("unlock")
def unlock(email: str) -> None:
    """Lift a lockout (too many failed logins) before it expires."""
    from .auth.users import UserError
    from .auth.users import unlock as lift

    try:
        lift(email, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"{email}: unlocked")


@app.command("set-password")
def set_password(email: str) -> None:
    """Set a new password (asked for twice)."""
    from .auth.users import UserError
    from .auth.users import set_password as change

    password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    try:
        change(email, password, actor=_actor())
    except UserError as error:
        _fail(error)
    console.print(f"{email}: password changed")


def _actor() -> str:
    """``cli:$PILOTAGE_OPERATOR`` or ``cli``, never the system login (see pilotage.operator)."""
    from pilotage.operator import cli_operator

    return cli_operator()


def serve(
    bind: Annotated[str, typer.Option(help="host:port")] = "127.0.0.1:8050",
    workers: Annotated[int | None, typer.Option(help="gunicorn workers (default: gunicorn.conf.py)")] = None,
) -> None:
    """Serve the app with gunicorn (demo users are created and printed when PILOTAGE_ENV=demo)."""
    from pilotage.settings import PROJECT_ROOT, get_settings

    from .demo_users import DEMO_PASSWORD, ensure_demo_users

    get_settings().check_production_ready()
    for user in ensure_demo_users():
        console.print(f"demo user [bold]{user.email}[/] ({user.role}, scope {','.join(user.scope)}) "
                      f"password [bold]{DEMO_PASSWORD}[/]", highlight=False, soft_wrap=True)
    console.print(f"serving on http://{bind}", highlight=False)
    args = [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    os.execv(sys.executable, args)  # gunicorn.conf.py names the application
