"""``kg add``: the command (a module of its own beside :mod:`kg.cli`, which
registers it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .add import add_records
from .cli import StoreOpt, _print_read, app, print_summary, run_with_progress


@app.command()
def add(
    inputs: Annotated[list[str], typer.Argument(
        help="New inputs as [SOURCE=][FORMAT:]PATH, read as kg build reads them (see kg build "
        "--help and kg sources).", show_default=False)],
    store: StoreOpt,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Read every input without its own FORMAT: as this format.",
        show_default=False)] = None,
    encoding: Annotated[str | None, typer.Option(
        help="Encoding of the inputs. Default: detect.")] = None,
    reestimate: Annotated[bool, typer.Option(
        "--reestimate", help="Estimate the weights again over all candidate pairs (as kg "
        "build does) instead of keeping the store's.")] = False,
    rejects: Annotated[Path | None, typer.Option(
        help="Write the new rejected records here as JSON Lines.")] = None,
    strict: Annotated[bool, typer.Option(
        help="Fail (exit 3) if any new record is rejected; nothing is written then.")] = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Processes comparing candidate pairs; 0: one per CPU.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Add records to a store: resolve them against the works it holds.

    Only the new inputs are read; the store's records, comparisons and weights
    are reused (the pairs compared before are not compared again, the weights
    are not estimated again unless --reestimate), with the store's settings,
    and so is what the store derived from its records (their features, the
    fields and versions of the works the new records leave alone).
    The works are those kg build of all the inputs would make with those
    weights. Works keep their ids; a work merged into an older one leaves a
    redirect (dcterms:isReplacedBy). The result is written as a new build,
    made current once complete: a failed add leaves the store as it was.

    The graph is updated in place: the current build's Oxigraph store is
    copied (hard links) and only the quads of the works, records and match
    decisions the add changed are removed and added, giving the quads a full
    write would. It is written in full instead when the add rewrites more
    than a fifth of the records, or the store was written by another version
    (kg info says which, under "graph").

    Prints the records added, the works they touched, the new works and the
    works merged into others.
    """
    report = run_with_progress(
        quiet, lambda step: add_records(
            inputs, store, fmt=fmt, encoding=encoding, reestimate=reestimate, jobs=jobs,
            strict=strict, rejects=rejects, progress=step, on_read=_print_read))
    print_summary(f"kg add: {store}", report)
