"""The ``kg`` command: build the graph, query it, export it.

Exit codes: 0 success; 2 bad usage or input that cannot be read (unknown
file, bad encoding, CSV without a title column, a record id repeated within a
source); 3 records were rejected and ``--strict`` was given; 4 the store
cannot be created or opened; 5 the query cannot be found, parsed or run.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from resolve import __version__
from resolve.pipeline import resolve_records
from resolve.readers import InputError, InputSpec, iter_inputs
from resolve.settings import Settings
from resolve.types import Record, Rejection

from . import export as exporting
from .model import BuildInfo, graph_quads
from .queries import (
    QueryError,
    format_csv,
    format_json,
    resolve_query,
    result_rows,
    run_query,
    shipped_queries,
)
from .store import MARKER, StoreError, bulk_load, create_store, open_store, write_metadata

EXIT_INPUT, EXIT_STRICT, EXIT_STORE, EXIT_QUERY = 2, 3, 4, 5

app = typer.Typer(
    help="Resolve scholarly publication records into works and publish them as an RDF "
    "knowledge graph (on-disk Oxigraph store, SPARQL, Turtle).\n\n"
    "Exit codes: 0 ok, 2 bad input, 3 rejects under --strict, 4 store error, 5 query error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Store directory.",
                                        show_default=False)]


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@app.command()
def build(
    inputs: Annotated[list[str], typer.Argument(
        help="Input files as [SOURCE=]PATH: JSON Lines of records (.jsonl/.ndjson) or CSV "
        "(.csv/.tsv), optionally gzipped (.gz). SOURCE names the source; by default the "
        "file name without extensions does.", show_default=False)],
    store: StoreOpt,
    encoding: Annotated[str | None, typer.Option(
        help="Encoding of the inputs. Default: detect (UTF-8, UTF-16 with BOM, else "
        "Windows-1252/ISO-8859-1).")] = None,
    rejects: Annotated[Path | None, typer.Option(
        help="Write rejected records here as JSON Lines (origin, reason, raw text).")] = None,
    strict: Annotated[bool, typer.Option(
        help="Fail (exit 3) if any record is rejected; nothing is written then.")] = False,
    settings_file: Annotated[Path | None, typer.Option(
        "--settings", help="JSON file of resolution settings (see the store's "
        "kg-resolve.json for the defaults).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Read records, resolve them into works and write the graph to an on-disk store.

    An existing kg-resolve store at --store is replaced; any other non-empty
    directory is refused. Every record read ends up in exactly one work or in
    the rejected report; the summary says how many of each.
    """
    t0 = time.perf_counter()
    started = datetime.now(UTC).replace(microsecond=0)
    try:
        settings = Settings.from_json(settings_file.read_text()) if settings_file else Settings()
    except (OSError, ValueError, TypeError) as exc:
        raise _fail(f"--settings {settings_file}: {exc}", EXIT_INPUT) from exc
    try:
        specs = [InputSpec.parse(a) for a in inputs]
    except InputError as exc:
        raise _fail(str(exc), EXIT_INPUT) from exc

    records: list[Record] = []
    rejected: list[Rejection] = []
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=err, transient=True, disable=quiet)
    timings: dict[str, float] = {}
    with progress:
        task = progress.add_task("reading", total=None)
        t = time.perf_counter()
        try:
            for item in iter_inputs(specs, encoding, on_file=lambda spec: progress.update(
                    task, description=f"reading {spec.path}")):
                (rejected if isinstance(item, Rejection) else records).append(item)
        except InputError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
        timings["read"] = round(time.perf_counter() - t, 3)
        for r in rejected[:20]:
            err.print(f"[yellow]rejected[/] {r.origin}: {r.reason}", highlight=False)
        if len(rejected) > 20:
            err.print(f"[yellow]... and {len(rejected) - 20} more rejected records[/]")
        if rejects:
            _write_rejects(rejects, rejected)
        if strict and rejected:
            raise _fail(f"{len(rejected)} record(s) rejected and --strict given", EXIT_STRICT)

        resolution = resolve_records(
            records, settings, step=lambda name: progress.update(task, description=name))
        timings.update(resolution.timings)

        progress.update(task, description=f"writing the graph to {store}")
        t = time.perf_counter()
        keys = "\n".join(f"{r.source}\x1f{r.record_id}" for r in records)
        build_id = hashlib.blake2b(
            f"{__version__}\n{settings.to_json()}\n{keys}".encode(), digest_size=8).hexdigest()
        info = BuildInfo(build_id, __version__, settings.to_json(),
                         tuple(str(s.path) for s in specs), started.isoformat(),
                         datetime.now(UTC).replace(microsecond=0).isoformat(),
                         resolution.candidates.total, len(rejected))
        try:
            oxi = create_store(store)
        except (StoreError, OSError) as exc:
            raise _fail(str(exc), EXIT_STORE) from exc
        pairs = [*resolution.scored, *resolution.clustering.completed_pairs]
        quads = bulk_load(oxi, graph_quads(records, resolution.works, rejected, pairs, info))
        timings["rdf + load"] = round(time.perf_counter() - t, 3)

    multi = sum(1 for w in resolution.works if len(w.members) > 1)
    summary = {
        "records read": len(records) + len(rejected),
        "records rejected": len(rejected),
        "records in works": sum(len(w.members) for w in resolution.works),
        "candidate pairs scored": resolution.candidates.total,
        "pairs scored completing clusters": len(resolution.clustering.completed_pairs),
        "works": len(resolution.works),
        "multi-record works": multi,
        "components split": len(resolution.clustering.splits),
        "quads written": quads,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    write_metadata(store, {
        "tool": "kg-resolve", "version": __version__, "build": build_id,
        "started": info.started, "inputs": [{"source": s.source, "path": str(s.path)}
                                            for s in specs],
        "settings": json.loads(settings.to_json()), "summary": summary, "timings": timings,
        "candidates per rule": resolution.candidates.per_rule,
        "weights": resolution.estimation.as_dict(),
    })
    table = Table(title=f"kg build: {store}", show_header=False, title_justify="left")
    for k, v in summary.items():
        table.add_row(k, str(v))
    out.print(table)


def _write_rejects(path: Path, rejected: list[Rejection]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rejected:
            fh.write(json.dumps({"origin": r.origin, "reason": r.reason, "source": r.source,
                                 "record_id": r.record_id, "raw": r.raw},
                                ensure_ascii=False) + "\n")


@app.command()
def query(
    query_: Annotated[str | None, typer.Argument(
        metavar="QUERY", help="A shipped query's name (see --list), a .rq file, or inline "
        "SPARQL. Prefixes kgr, fabio, frbr, dcterms, prism, prov, datacite, owl, rdf, rdfs, "
        "xsd, foaf and id are predeclared.", show_default=False)] = None,
    store: Annotated[Path | None, typer.Option("--store", "-s", help="Store directory.",
                                               show_default=False)] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Bind a query variable: NAME=VALUE (repeatable). VALUE is a "
        "string, or an IRI written <...>.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="Output: table, csv or json.")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the shipped queries.")] = False,
) -> None:
    """Run a SPARQL query over a store and print the result."""
    if list_:
        table = Table("name", "parameters", "what it answers", title="shipped queries")
        for q in shipped_queries().values():
            table.add_row(q.name, " ".join(p for p, _ in q.params) or "-",
                          q.title + (f": {q.description}" if q.description else ""))
        out.print(table)
        return
    if query_ is None or store is None:
        raise _fail("give a QUERY and --store (or --list)", EXIT_INPUT)
    if fmt not in ("table", "csv", "json"):
        raise _fail(f"--format {fmt}: expected table, csv or json", EXIT_INPUT)
    params: dict[str, str] = {}
    for p in param or []:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise _fail(f"--param {p}: expected NAME=VALUE", EXIT_INPUT)
        params[name.lstrip("?$")] = value
    try:
        oxi = open_store(store)
        text, declared = resolve_query(query_)
        header, rows = result_rows(run_query(oxi, text, params, declared))
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    except QueryError as exc:
        raise _fail(str(exc), EXIT_QUERY) from exc
    if fmt == "csv":
        sys.stdout.write(format_csv(header, rows))
    elif fmt == "json":
        sys.stdout.write(format_json(header, rows))
    else:
        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        err.print(f"{len(rows)} row(s)")


@app.command("export")
def export_cmd(
    store: StoreOpt,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="turtle or ntriples (the default graph: works, records, "
        "identifiers, rejections) or clusters (CSV source,record_id,work_id, one row per "
        "record).")] = "turtle",
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file.",
                                         show_default=False)] = ...,  # type: ignore[assignment]
) -> None:
    """Export a store's graph as Turtle or N-Triples, or its clusters as CSV."""
    if fmt not in exporting.FORMATS:
        raise _fail(f"--format {fmt}: expected one of {', '.join(exporting.FORMATS)}",
                    EXIT_INPUT)
    try:
        oxi = open_store(store)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    if fmt == "clusters":
        n = exporting.export_clusters(oxi, output)
        err.print(f"wrote {n} records to {output}")
    else:
        with output.open("wb") as fh:
            n = exporting.export_rdf(oxi, fmt, fh)  # type: ignore[arg-type]
        err.print(f"wrote {n} triples to {output}")


@app.command("evaluate")
def evaluate_cmd(
    gold: Annotated[Path, typer.Argument(
        help="Gold clusters as CSV: source,record_id,cluster; or two columns of duplicate "
        "record ids per row (a header like idDBLP,idACM names each column's source); or one "
        "column of ';'-joined duplicate ids per row (merged_record_ids.csv).",
        show_default=False)],
    store: StoreOpt,
    gold_format: Annotated[str, typer.Option(
        "--gold-format", help="auto (by column count), clusters, pairs or merged-ids.")
    ] = "auto",
    show: Annotated[int, typer.Option(help="How many false-merge works and missed pairs "
                                      "to list.")] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Score a store's works against gold clusters: pairwise and B-cubed precision,
    recall and F1, then the worst false merges and missed pairs with their match
    evidence. Records the gold does not list count as singletons."""
    from dataclasses import asdict

    from .evaluation import evaluate_store, format_evaluation

    if fmt not in ("text", "json"):
        raise _fail(f"--format {fmt}: expected text or json", EXIT_INPUT)
    try:
        oxi = open_store(store)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    try:
        result = evaluate_store(oxi, gold, gold_format, show)
    except (OSError, ValueError) as exc:
        raise _fail(f"{gold}: {exc}" if str(gold) not in str(exc) else str(exc),
                    EXIT_INPUT) from exc
    if fmt == "json":
        sys.stdout.write(json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_evaluation(result))


@app.command()
def info(store: StoreOpt) -> None:
    """Show what build made a store: inputs, settings, counts and timings."""
    path = store / MARKER
    if not path.exists():
        raise _fail(f"{store}: not a kg-resolve store", EXIT_STORE)
    out.print_json(path.read_text(encoding="utf-8"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
