"""``pilotage alerts run|list|deliver|schedule``: evaluate the rules, list them, send the queued e-mails, and
the daily schedule in process (the alternative to the cron line in ``deploy/cron/``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Alerts: rules on KPIs, the forecast and the loads, told to each recipient in their scope.",
                  no_args_is_help=True)
console = Console()

ACTIONS = {"fired": "[bold red]fired[/]", "updated": "still open", "reopened": "reopened",
           "resolved": "[green]resolved[/]"}


def _print_changes(changes, dry_run: bool) -> None:
    """One paragraph per change (what fired for whom, in the recipient's language), then the counts."""
    from .texts import of_outcome

    if dry_run:
        console.print("dry run: nothing written, nothing sent", highlight=False)
    for change in changes:
        notice = of_outcome(change.rule, change.outcome, change.user.language or "en")
        console.print(f"{ACTIONS[change.action]}  #{change.rule.id} {change.rule.name} -> {change.user.email}\n"
                      f"    {notice.what}\n    {notice.where} · {notice.when}", highlight=False, soft_wrap=True)
    fired = sum(c.action == "fired" for c in changes)
    console.print(f"{fired} fired, {sum(c.action == 'resolved' for c in changes)} resolved, "
                  f"{sum(c.action in ('updated', 'reopened') for c in changes)} still open", highlight=False)


def deliver_queue(quiet: bool = False) -> None:
    """Send the queued e-mails that are due; ``quiet`` prints only when something was sent or failed."""
    from pilotage import mail
    from pilotage.store.engine import get_engine

    counts = mail.deliver_due(get_engine())
    if not quiet or any(counts.values()):
        console.print(f"e-mails: {counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} given up",
                      highlight=False)


def evaluate_and_deliver(dry_run: bool = False) -> None:
    from .events import run

    changes = run(dry_run=dry_run)
    _print_changes(changes, dry_run)
    if not dry_run:
        deliver_queue()


@app.command("run")
def run_(dry_run: Annotated[bool, typer.Option("--dry-run", help="print what would fire; write and send "
                                                                  "nothing")] = False) -> None:
    """Evaluate every active rule for each recipient, in the recipient's scope; print what fired for whom."""
    evaluate_and_deliver(dry_run)


@app.command("list")
def list_() -> None:
    """List the rules: kind, KPI, grain, basis, threshold, severity, filters, owner and subscribers."""
    from ..auth.users import list_users
    from .rules import all_rules

    emails = {u.id: u.email for u in list_users()}
    for rule in all_rules():
        filters = "; ".join(f"{k}={','.join(v)}" for k, v in rule.filters.items())
        how = " ".join(x for x in (rule.kind, rule.kpi, rule.grain if rule.kind in ("target", "change") else "",
                                   rule.basis, f"threshold {rule.threshold:g}", rule.severity,
                                   f"source {rule.source}" if rule.source else "", filters) if x)
        subscribers = [emails.get(u, str(u)) for u in rule.users] + [f"role:{r}" for r in rule.roles]
        console.print(f"#{rule.id} {rule.name}{'' if rule.active else ' (inactive)'}\n    {how}\n"
                      f"    owner {emails.get(rule.owner_id, '?')}; tells {', '.join(subscribers)}",
                      highlight=False, soft_wrap=True)


@app.command("deliver")
def deliver() -> None:
    """Send the queued e-mails that are due (failed ones are retried with a back-off)."""
    deliver_queue()


@app.command("schedule")
def schedule(
    hour: Annotated[int, typer.Option(min=0, max=23, help="hour (local time)")] = 7,
    minute: Annotated[int, typer.Option(min=0, max=59)] = 30,
    show: Annotated[int, typer.Option(min=0, help="print the next N run times and exit")] = 0,
    deliver_every: Annotated[int, typer.Option(min=1, max=60, help="send the queued e-mails due (retries) every "
                                                                   "N minutes between runs")] = 10,
) -> None:
    """Evaluate the alerts every day at HOUR:MINUTE in this process (the alternative to the cron lines), and
    send the queued e-mails that are due (retries) every DELIVER_EVERY minutes between runs; loads and trainings
    evaluate them too. Stop with Ctrl-C."""
    import datetime as dt

    from pilotage.schedule import next_daily, run_jobs

    if show:
        when = dt.datetime.now()
        for _ in range(show):
            when = next_daily(when, hour, minute)
            typer.echo(f"{when:%Y-%m-%d %H:%M}")
        return
    try:
        run_jobs(schedule_jobs(hour, minute, deliver_every))
    except KeyboardInterrupt:
        console.print("schedule stopped", highlight=False)


def schedule_jobs(hour: int, minute: int, deliver_every: int) -> list:
    """The jobs of ``pilotage alerts schedule``: the daily evaluation (which delivers too), then the queue's
    delivery every ``deliver_every`` minutes (what the ``*/10`` cron line does), each with its own report."""
    from pilotage.schedule import Job, next_daily, next_every

    def failed(what: str):
        return lambda error: console.print(f"[bold red]{what} failed[/] {type(error).__name__}: {error}",
                                           highlight=False)

    return [Job(evaluate_and_deliver, lambda now: next_daily(now, hour, minute),
                lambda due: console.print(f"next evaluation {due:%Y-%m-%d %H:%M}", highlight=False),
                failed("alerts")),
            Job(lambda: deliver_queue(quiet=True), lambda now: next_every(now, deliver_every),
                on_error=failed("e-mail delivery"))]


reports_app = typer.Typer(help="Reports by e-mail: the Monday digest.", no_args_is_help=True)


@reports_app.command("send")
def send_reports(
    weekly: Annotated[bool, typer.Option("--weekly", help="the Monday digest (the only report so far)")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print who would get what; queue and send "
                                                             "nothing")] = False,
    user: Annotated[str | None, typer.Option("--user", help="only this user's e-mail")] = None,
) -> None:
    """Compute each user's digest in their scope and language (users who opted out get none), queue and send it."""
    from .digest import send_weekly, subject

    if not weekly:
        raise typer.BadParameter("say which report: --weekly", param_hint="--weekly")
    digests = send_weekly(dry_run=dry_run, email=user)
    for digest in digests:
        console.print(f"{digest.user.email} ({digest.language}): {subject(digest)}", highlight=False)
    console.print(f"{len(digests)} digests {'would be ' if dry_run else ''}queued", highlight=False)
    if not dry_run:
        deliver_queue()


@reports_app.command("schedule")
def schedule_reports(
    timezone: Annotated[str, typer.Option(help="the time zone of the schedule")] = "Europe/Paris",
    show: Annotated[int, typer.Option(min=0, help="print the next N run times and exit")] = 0,
) -> None:
    """Send the Monday digest every Monday at 07:00 (TIMEZONE) in this process (the alternative to the cron line)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from pilotage.schedule import next_weekly, run_forever

    zone = ZoneInfo(timezone)
    if show:
        when = dt.datetime.now(zone)
        for _ in range(show):
            when = next_weekly(when)
            typer.echo(f"{when:%Y-%m-%d %H:%M %Z}")
        return
    try:
        run_forever(lambda: send_reports(weekly=True), clock=lambda: dt.datetime.now(zone), due_after=next_weekly,
                    on_wait=lambda due: console.print(f"next digest {due:%Y-%m-%d %H:%M %Z}", highlight=False),
                    on_error=lambda error: console.print(f"[bold red]digest failed[/] {type(error).__name__}: "
                                                         f"{error}", highlight=False))
    except KeyboardInterrupt:
        console.print("schedule stopped", highlight=False)
