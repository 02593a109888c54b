"""The ``kg dedupe`` command: read, resolve, write the deduplicated library.

A thin layer over :func:`kg.dedupe.dedupe`; registered on the ``kg`` app by
:mod:`kg.cli`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from resolve.readers import InputError
from resolve.settings import Settings

from .dedupe import dedupe

EXIT_INPUT = 2
WORK_FORMATS = ("bibtex", "ris", "csv")
err = Console(stderr=True)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def dedupe_command(
    inputs: Annotated[list[str], typer.Argument(
        help="Inputs as [SOURCE=][FORMAT:]PATH, as kg build takes them.", show_default=False)],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="The library: bibtex, ris or csv (what kg export writes from "
        "a store: one entry per work, written from its chosen record with every field it "
        "had, plus what the work's other records add).")] = "ris",
    output: Annotated[str, typer.Option("--output", "-o", help="Output file; - for standard "
                                        "output.", show_default=False)] = ...,  # type: ignore[assignment]
    prefer: Annotated[list[str] | None, typer.Option(
        "--prefer", help="Write each work from the record of the first of these sources it "
        "has (SOURCE[,SOURCE...], repeatable); otherwise from its most complete record.",
        show_default=False)] = None,
    all_records: Annotated[bool, typer.Option(
        "--all-records", help="Write every record, each work's chosen one first and the "
        "others marked as its duplicates.")] = False,
    duplicate_tag: Annotated[str, typer.Option(
        "--duplicate-tag", help="ris with --all-records: the tag of the duplicate marker.")
    ] = "N1",
    encoding: Annotated[str | None, typer.Option(
        help="Encoding of the inputs. Default: detect.")] = None,
    settings_file: Annotated[Path | None, typer.Option(
        "--settings", help="JSON file of resolution settings.")] = None,
    clean_source: Annotated[list[str] | None, typer.Option(
        "--clean-source", help="A source known to hold no duplicates of its own "
        "(repeatable).")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Processes reading large files, computing "
        "features and comparing candidate pairs; 0: one per CPU.")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Read records, resolve them into works and write the deduplicated library
    (BibTeX, RIS or CSV) without writing a graph: the same entries as kg build
    followed by kg export --format FORMAT, at the cost of the resolution only.
    """
    if fmt not in WORK_FORMATS:
        raise _fail(f"--format {fmt}: expected one of {', '.join(WORK_FORMATS)}", EXIT_INPUT)
    if not re.fullmatch(r"[A-Z][A-Z0-9]", duplicate_tag):
        raise _fail(f"--duplicate-tag {duplicate_tag}: expected a RIS tag", EXIT_INPUT)
    try:
        settings = Settings.from_json(settings_file.read_text()) if settings_file else Settings()
    except (OSError, ValueError, TypeError) as exc:
        raise _fail(f"--settings {settings_file}: {exc}", EXIT_INPUT) from exc
    preferred = [p.strip() for item in prefer or [] for p in item.split(",") if p.strip()]
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=err, transient=True, disable=quiet)
    with progress:
        task = progress.add_task("reading", total=None)
        try:
            text, result, read = dedupe(
                inputs, fmt, settings, encoding=encoding,  # type: ignore[arg-type]
                clean_sources=clean_source or (), jobs=jobs,
                progress=lambda name: progress.update(task, description=name),
                prefer=preferred, all_records=all_records, duplicate_tag=duplicate_tag)
        except InputError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
    for r in read.rejected[:20]:
        err.print(f"[yellow]rejected[/] {r.origin}: {r.reason}", highlight=False)
    data = text.encode("utf-8")
    try:
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            Path(output).write_bytes(data)
    except OSError as exc:
        raise _fail(f"--output {output}: {exc.strerror or exc}", EXIT_INPUT) from exc
    what = "records" if all_records else "works"
    err.print(f"wrote {result.entries} {what} ({len(read.records) + len(read.rejected)} "
              f"records read, {len(read.rejected)} rejected) to "
              f"{'standard output' if output == '-' else output}", highlight=False)
