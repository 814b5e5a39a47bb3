"""``pilotage i18n ...``: keep the gettext catalogues (see :mod:`dashapp.i18n.catalogs`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Translations: the gettext catalogues of dashapp/i18n/locale.", no_args_is_help=True)
console = Console()


@app.command("merge")
def merge(
    modules: Annotated[list[Path], typer.Argument(help="tuple modules, e.g. dashapp/i18n/catalog/*.py", exists=True)],
    prune: Annotated[bool, typer.Option(help="remove the keys of a module's area that the module no longer has")]
    = False,
    remove: Annotated[bool, typer.Option(help="delete the modules once merged")] = False,
) -> None:
    """Merge ``MESSAGES = {key: (english, french)}`` modules into en.po and fr.po (the module's name is the
    entries' area), then rebuild the template and the .mo files."""
    from .catalogs import merge_modules

    modules = [path for path in modules if path.name != "__init__.py"]
    report = merge_modules(modules, prune=prune)
    for kind, keys in report.items():
        if keys:
            console.print(f"{kind}: {len(keys)}  {' '.join(sorted(keys)[:12])}{' ...' if len(keys) > 12 else ''}",
                          highlight=False)
    if report["stale"]:
        console.print("stale: in the catalogue under these modules' areas but no longer in them "
                      "(run again with --prune to remove them)", highlight=False)
    for path in modules if remove else ():
        path.unlink()
        console.print(f"removed {path}", highlight=False)


@app.command("update")
def update(
    extracted: Annotated[Path | None, typer.Option(help="pybabel extract's output: keys the code uses, and where")]
    = None,
) -> None:
    """Write the KPIs' definitions from dashapp/semantic/metrics.py into en.po, rebuild messages.pot from en.po,
    update en.po and fr.po from it, compile the .mo files; fail when the code uses a key en.po lacks or a French
    text is missing or to review."""
    from .catalogs import SOURCE_LANGUAGE, TRANSLATIONS, entries, po_path, read, refresh, used_keys

    used = used_keys(extracted) if extracted else None
    for path in refresh(used):
        console.print(f"wrote {path}", highlight=False)
    known = {m.id for m in entries(read(po_path(SOURCE_LANGUAGE)))}
    problems = [f"{key}: used in {', '.join(sorted({p for p, _ in where}))} but not in en.po"
                for key, where in (used or {}).items() if key not in known]
    for language in TRANSLATIONS:
        for message in entries(read(po_path(language), language)):
            if not message.string or message.fuzzy:
                problems.append(f"{message.id}: {'to review' if message.string else 'untranslated'} in {language}")
    for problem in problems:
        console.print(f"[yellow]{problem}[/]", highlight=False)
    if problems:
        raise typer.Exit(1)
