"""The ``kg`` command: build the graph, query it, export it.

Exit codes: 0 success; 2 bad usage or input that cannot be read (unknown
file, bad encoding, CSV without a title column, a record id repeated within a
source); 3 records were rejected and ``--strict`` was given; 4 the store
cannot be created or opened, or another build is writing it; 5 the query
cannot be found, parsed or run; 6 ``kg validate`` found SHACL violations.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from resolve.formats import FORMATS
from resolve.readers import InputError, make_origin
from resolve.settings import Settings

from . import export as exporting
from .build import BuildReport, ReadResult, StrictError, build_store
from .dedupe_cli import dedupe_command
from .deduplicated import old_record_keys
from .model import EVIDENCE_LEVELS
from .queries import (
    QueryError,
    format_csv,
    format_json,
    queries_markdown,
    resolve_query,
    result_rows,
    run_query,
    shipped_queries,
)
from .store import StoreError, open_store, pin_store, store_metadata

EXIT_INPUT, EXIT_STRICT, EXIT_STORE, EXIT_QUERY = 2, 3, 4, 5

app = typer.Typer(
    help="Resolve scholarly publication records into works and publish them as an RDF "
    "knowledge graph (on-disk Oxigraph store, SPARQL, Turtle).\n\n"
    "Exit codes: 0 ok, 2 bad input, 3 rejects under --strict, 4 store error, 5 query error, "
    "6 SHACL violations.",
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
        help="Inputs as [SOURCE=][FORMAT:]PATH, optionally gzipped (.gz): our records "
        "(JSON Lines, CSV), BibTeX, RIS, EndNote XML, CSL-JSON, or what OpenAlex, Crossref, "
        "arXiv, Semantic Scholar, scholar.archive.org, CORE, Unpaywall, dblp and Papers with "
        "Code return (see kg sources). The format is recognized from the content, else the "
        "extension; FORMAT (e.g. ris:refs.txt) forces it. SOURCE names the source; by "
        "default a service's payload is named after the service, any other file after its "
        "name without extensions. A directory stands for every file under it (recursive, "
        "sorted, hidden files skipped; files of no known format are skipped with a warning).",
        show_default=False)],
    store: StoreOpt,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Read every input without its own FORMAT: as this format (a name "
        "from kg sources).", show_default=False)] = None,
    encoding: Annotated[str | None, typer.Option(
        help="Encoding of the inputs. Default: detect (UTF-8, UTF-16 with BOM, else "
        "Windows-1252/ISO-8859-1).")] = None,
    rejects: Annotated[Path | None, typer.Option(
        help="Write rejected records here as JSON Lines (file, line, position, origin, "
        "reason, source, record_id, raw text).")] = None,
    strict: Annotated[bool, typer.Option(
        help="Fail (exit 3) if any record is rejected; nothing is written then.")] = False,
    settings_file: Annotated[Path | None, typer.Option(
        "--settings", help="JSON file of resolution settings (see the store's "
        "kg-resolve.json for the defaults).")] = None,
    clean_source: Annotated[list[str] | None, typer.Option(
        "--clean-source", help="A source known to hold no duplicates of its own (repeatable), "
        "as when linking two clean tables: no work gets two of its records.")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Processes reading large files, computing "
        "features and comparing candidate pairs; 0: one per CPU. "
        "The result does not depend on it.")] = 0,
    evidence: Annotated[str, typer.Option(
        "--evidence", help="Match decisions the evidence graph keeps: 'decisions' (merged "
        "pairs and merges a rule or the clustering vetoed), 'all' (also the near misses, "
        "pairs not merged that scored at least 0.05: kg evaluate then explains more missed "
        "pairs) or 'none' (no evidence graph; the smallest store).")] = "decisions",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Read records, resolve them into works and write the graph to an on-disk store.

    An existing kg-resolve store at --store is replaced atomically: the graph is
    written into a new directory under --store/builds and made current only when
    complete, so queries meanwhile read the old store, and a build that fails, is
    interrupted or killed leaves it whole (the next build removes what it left).
    A second build on the same store is refused (exit 4); so is any other
    non-empty directory. Every record read ends up in exactly one work or in the
    rejected report; the summary says how many of each. Over an existing store,
    works keep the ids they had there (a work merged into an older one leaves a
    redirect); to add records without reading the old inputs again, see kg add.
    """
    if evidence not in EVIDENCE_LEVELS:
        raise _fail(f"--evidence {evidence}: expected one of {', '.join(EVIDENCE_LEVELS)}",
                    EXIT_INPUT)
    try:
        settings = Settings.from_json(settings_file.read_text()) if settings_file else Settings()
    except (OSError, ValueError, TypeError) as exc:
        raise _fail(f"--settings {settings_file}: {exc}", EXIT_INPUT) from exc
    report = run_with_progress(
        quiet, lambda step: build_store(
            inputs, store, settings, fmt=fmt, encoding=encoding,
            clean_sources=clean_source or (), jobs=jobs, strict=strict, rejects=rejects,
            progress=step, on_read=_print_read, evidence=evidence))
    print_summary(f"kg build: {store}", report)


def run_with_progress(quiet: bool, call: Callable[[Callable[[str], None]], BuildReport]
                      ) -> BuildReport:
    """Run a build (``call`` gets the progress callback) under a spinner on
    stderr, its errors turned into the CLI's exit codes."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=err, transient=True, disable=quiet)
    with progress:
        task = progress.add_task("reading", total=None)
        try:
            return call(lambda name: progress.update(task, description=name))
        except InputError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
        except StrictError as exc:
            raise _fail(str(exc), EXIT_STRICT) from exc
        except (StoreError, OSError) as exc:
            raise _fail(str(exc), EXIT_STORE) from exc


def print_summary(title: str, report: BuildReport) -> None:
    """A build's (or an add's) summary as a table on stdout."""
    table = Table(title=title, show_header=False, title_justify="left")
    for k, v in report.summary.items():
        table.add_row(k, str(v))
    out.print(table)


def _print_read(read: ReadResult) -> None:
    """Warnings for skipped files and files read, collapsed copies and the first
    rejections, as reading ends."""
    for path, why in read.skipped:
        err.print(f"[yellow]warning:[/] skipped {make_origin(path)}: {why}", highlight=False)
    for origin, why in read.warnings:
        err.print(f"[yellow]warning:[/] {origin}: {why}", highlight=False)
    if read.collapsed:
        err.print(f"[yellow]note:[/] {read.collapsed} identical copies of records collapsed "
                  "(the same record saved twice in one source)", highlight=False)
    for r in read.rejected[:20]:
        err.print(f"[yellow]rejected[/] {r.origin}: {r.reason}", highlight=False)
    if len(read.rejected) > 20:
        err.print(f"[yellow]... and {len(read.rejected) - 20} more rejected records[/]")


@app.command()
def query(
    query_: Annotated[str | None, typer.Argument(
        metavar="QUERY", help="A shipped query's name (see --list), a .rq file, or inline "
        "SPARQL. Prefixes kgr, fabio, frbr, dcterms, prism, prov, datacite, owl, rdf, rdfs, "
        "xsd, foaf, schema and id are predeclared.", show_default=False)] = None,
    store: Annotated[Path | None, typer.Option("--store", "-s", help="Store directory.",
                                               show_default=False)] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Bind a query variable: NAME=VALUE (repeatable). VALUE is a "
        "string, or an IRI written <...>.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output: table, csv or json "
                                     "(with --list: table or markdown).")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the shipped queries.")] = False,
) -> None:
    """Run a SPARQL query over a store and print the result."""
    if list_:
        if fmt == "markdown":
            sys.stdout.write(queries_markdown())
            return
        table = Table("name", "parameters", "what it answers", title="shipped queries")
        for q in shipped_queries().values():
            table.add_row(q.name, "\n".join(f"{p}: {d}" if d else p for p, d in q.params)
                          or "-", q.title + (f": {q.description}" if q.description else ""))
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
        "--format", "-f", help="turtle or ntriples (the default graph: works, versions, "
        "records, identifiers, rejections); trig, nquads or jsonld (the default graph and "
        "the evidence graph); bibtex, ris or csv (the deduplicated library: one entry per "
        "work, written from its chosen record with every field it had, plus the "
        "identifiers, keywords and notes of the work's other records); clusters (CSV "
        "source,record_id,work_id, one row per record).")] = "turtle",
    output: Annotated[str, typer.Option("--output", "-o", help="Output file; - for standard "
                                        "output.", show_default=False)] = ...,  # type: ignore[assignment]
    with_build: Annotated[bool, typer.Option(
        "--with-build", help="trig, nquads, jsonld: add the build graph (the build activity; "
        "its times differ between builds, so the bytes do too).")] = False,
    prefer: Annotated[list[str] | None, typer.Option(
        "--prefer", help="bibtex, ris, csv: write each work from the record of the first of "
        "these sources it has (SOURCE[,SOURCE...], repeatable), e.g. --prefer medline; "
        "otherwise from its most complete record (ties: smallest source and id).",
        show_default=False)] = None,
    all_records: Annotated[bool, typer.Option(
        "--all-records", help="bibtex, ris, csv: write every record, each work's chosen one "
        "first and the others marked as its duplicates (BibTeX kgwork and duplicateof; RIS "
        "N1 'kg-resolve: duplicate of KEY, work ID'; CSV work_id and duplicate_of).")] = False,
    new_since: Annotated[Path | None, typer.Option(
        "--new-since", help="bibtex, ris, csv: only the works none of whose records are in "
        "this earlier store (a directory) or earlier kg export (BibTeX, RIS or CSV), as for "
        "an updated search.", show_default=False)] = None,
    duplicate_tag: Annotated[str, typer.Option(
        "--duplicate-tag", help="ris with --all-records: the tag of the duplicate marker.")
    ] = "N1",
) -> None:
    """Export a store's graph (Turtle, N-Triples, TriG, N-Quads, JSON-LD), its
    deduplicated works (BibTeX, RIS, CSV) or its clusters (CSV). The same build gives
    the same bytes.

    BibTeX, RIS and CSV lose nothing a screening tool needs: a work's chosen record is
    written back in its own format when it came in that format (every tag, its citation
    key), else mapped, and the work's other records add their identifiers (DOI, PMID,
    accession numbers, ISSN...), keywords, notes and language. The PRISMA counts
    (records per source, rejected, duplicates removed, works) are printed on stderr.
    """
    if fmt not in exporting.FORMATS:
        raise _fail(f"--format {fmt}: expected one of {', '.join(exporting.FORMATS)}",
                    EXIT_INPUT)
    if not re.fullmatch(r"[A-Z][A-Z0-9]", duplicate_tag):
        raise _fail(f"--duplicate-tag {duplicate_tag}: expected a RIS tag (two capitals or "
                    "a capital and a digit)", EXIT_INPUT)
    try:
        pinned = pin_store(store)  # the build now current: its graph and its records' text
        build_dir = pinned.path
        oxi = open_store(build_dir)
        meta = store_metadata(build_dir)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    preferred = [p.strip() for item in prefer or [] for p in item.split(",") if p.strip()]
    known = set(meta.get("prisma", {}).get("records per source", {}))
    if preferred and known and (unknown := [p for p in preferred if p not in known]):
        raise _fail(f"--prefer {', '.join(unknown)}: no such source in the store (its "
                    f"sources: {', '.join(sorted(known))})", EXIT_INPUT)
    old = None
    if new_since is not None:
        try:
            old = old_record_keys(new_since)
        except StoreError as exc:
            raise _fail(f"--new-since {new_since}: {exc}", EXIT_STORE) from exc
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise _fail(f"--new-since {new_since}: cannot read: {exc}", EXIT_INPUT) from exc
    to_stdout = output == "-"
    try:
        with (contextlib.nullcontext(sys.stdout.buffer) if to_stdout
              else Path(output).open("wb")) as fh:
            if fmt == "clusters":
                n = exporting.export_clusters(oxi, fh)
                message = f"wrote {n} records"
            elif fmt in exporting.WORK_FORMATS:
                result = exporting.export_works(
                    oxi, fmt, fh, build_dir, prefer=preferred,  # type: ignore[arg-type]
                    all_records=all_records, new_since=old, duplicate_tag=duplicate_tag)
                what = "records" if all_records else "works"
                message = f"wrote {result.entries} {what}"
                if old is not None:
                    message += (f" ({result.works} works new since {new_since}, "
                                f"{result.skipped_old} not new)")
            else:
                n = exporting.export_rdf(oxi, fmt, fh, with_build)  # type: ignore[arg-type]
                what = "quads" if fmt in exporting.DATASET_FORMATS else "triples"
                message = f"wrote {n} {what}"
            fh.flush()
    except OSError as exc:
        raise _fail(f"--output {output}: {exc.strerror or exc}", EXIT_INPUT) from exc
    err.print(f"{message} to {'standard output' if to_stdout else output}", highlight=False)
    if fmt in exporting.WORK_FORMATS and meta.get("prisma"):
        err.print(prisma_text(meta["prisma"]), highlight=False)


def prisma_text(p: dict) -> str:
    """The PRISMA counts of a build, as ``kg export`` prints them."""
    per = ", ".join(f"{s} {n}" for s, n in p.get("records per source", {}).items())
    return (f"PRISMA: records identified {p['records read']} ({per}); rejected "
            f"{p['records rejected']}; duplicates removed {p['duplicates removed']}; "
            f"works {p['works']}")


EXIT_INVALID = 6


@app.command("validate")
def validate_cmd(
    store: StoreOpt,
    shapes: Annotated[Path | None, typer.Option(
        help="SHACL shapes (Turtle). Default: the shipped ontology/shapes.ttl.")] = None,
    show: Annotated[int, typer.Option(help="How many violations to print.")] = 50,
    batch: Annotated[int, typer.Option(min=1, help="Works validated per chunk.")] = 2000,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes validating "
                                      "chunks in parallel.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Check a store against the SHACL shapes (pyshacl): every work, version, record,
    author, identifier, field choice, rejection, match decision, person's decision and
    the build activity.

    Prints each violation (focus node, path, message) and exits 6 if there is any.
    """
    from .validate import load_shapes, validate_store

    try:
        pinned = pin_store(store)  # the build now current, for the workers too
        oxi = open_store(pinned.path)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    try:
        graph = load_shapes(shapes)
    except (OSError, SyntaxError, ValueError) as exc:
        raise _fail(f"--shapes {shapes}: {exc}", EXIT_INPUT) from exc
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=err, transient=True, disable=quiet)
    with progress:
        task = progress.add_task("validating", total=None)
        report = validate_store(oxi, graph, batch,
                                progress=lambda m: progress.update(task, description=m),
                                jobs=jobs, store_path=pinned.path, shapes_path=shapes)
    summary = (f"{report.focus_nodes:,} nodes in {report.chunks} chunks "
               f"({report.triples:,} triples), {report.seconds} s")
    if report.conforms:
        out.print(f"kg validate: {store}: conforms ({summary})", highlight=False)
        return
    table = Table("focus node", "path", "message", "value", "shape",
                  title=f"{len(report.violations)} violation(s)", title_justify="left")
    for v in report.violations[:show]:
        table.add_row(v.focus, v.path, v.message, v.value, v.shape)
    out.print(table)
    if len(report.violations) > show:
        err.print(f"... and {len(report.violations) - show} more (--show N)")
    err.print(f"kg validate: {store}: {len(report.violations)} violation(s) ({summary})",
              highlight=False)
    raise typer.Exit(EXIT_INVALID)


@app.command("serve")
def serve_cmd(
    store: StoreOpt,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535,
                                      help="Port (0: any free port, printed).")] = 7878,
    timeout: Annotated[float, typer.Option(min=0.001, help="Seconds a query may run before "
                                           "it is stopped (HTTP 503).")] = 30.0,
    workers: Annotated[int, typer.Option(min=1, help="Query worker processes.")] = 2,
    memory_limit: Annotated[int, typer.Option(min=0, help="MB of memory a query may take "
                                              "(its worker is then replaced, HTTP 503); "
                                              "0: no limit.")] = 2048,
    allow_host: Annotated[list[str] | None, typer.Option(
        help="A Host name to answer besides localhost, 127.0.0.1 and [::1] (repeatable); "
        "on a loopback address other names are refused (421).")] = None,
    log: Annotated[bool, typer.Option(help="Log each request to stderr.")] = False,
    base: Annotated[str | None, typer.Option(
        help="The IRI that /id/ stands for: GET /id/work/W describes BASE + work/W. "
        "Default: the graph's own https://w3id.org/kg-resolve/id/ (a deployment behind a "
        "proxy names its public IRIs here).", show_default=False)] = None,
    cors: Annotated[list[str] | None, typer.Option(
        help="An origin whose scripts may read the answers (repeatable; * for any), e.g. "
        "https://example.org. Default: any on a public address, none on a loopback one "
        "(else any web page could read a local store through the browser).",
        show_default=False)] = None,
    review: Annotated[bool, typer.Option(
        "--review", help="Let the review page (/review) record decisions in the store, as "
        "kg decide does: the only write the server accepts, same-origin with the page's "
        "token only. Without it /review is read-only.")] = False,
    public_review: Annotated[bool, typer.Option(
        "--public-review", help="Allow --review on a non-loopback --host (anyone who can "
        "reach it can then record decisions: there is no login).")] = False,
) -> None:
    """Serve a store as a read-only SPARQL 1.1 Protocol endpoint at /sparql, with a
    query page at /, the graph's IRIs at /id/ and the review queue at /review.

    GET ?query= or POST (form or application/sparql-query). Results by Accept: SPARQL
    JSON, XML, CSV, TSV; Turtle or N-Triples for CONSTRUCT. Updates (403) and SERVICE
    (400) are refused, and query workers have no network; a query over --timeout or
    --memory-limit is stopped (503). A browser at / gets a SPARQL editor with the shipped
    queries; GET /id/work/W (also /id/record/..., /id/expression/...) describes that node:
    HTML for browsers, Turtle, JSON-LD or N-Triples by Accept. Every answer names the
    build it came from (X-KG-Build); a rebuild is followed. /review goes through kg
    review's queue with the records side by side (keys s, d, k, u); with --review
    (127.0.0.1 only, unless --public-review) its decisions are recorded in the store,
    the server's only write. Ctrl-C stops the server.
    """
    from .serve import serve

    try:
        with pin_store(store):  # a complete store is there (serve pins its own)
            pass
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    try:
        serve(store, host, port, timeout, workers,
              announce=lambda m: print(m, flush=True),
              log=(lambda m: print(m, file=sys.stderr, flush=True)) if log else None,
              memory_limit=memory_limit, allow_hosts=allow_host or (), base=base,
              cors=cors or (), review=review, public_review=public_review)
    except ValueError as exc:
        raise _fail(str(exc), EXIT_INPUT) from exc
    except OSError as exc:
        raise _fail(f"cannot listen on {host}:{port}: {exc}", EXIT_INPUT) from exc


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
    recall and F1, blocking recall (the share of gold pairs that were ever candidates),
    then the worst false merges and missed pairs with their match evidence. Records the
    gold does not list count as singletons."""
    import zipfile
    from dataclasses import asdict

    from .evaluation import evaluate_store, format_evaluation, store_candidates

    if fmt not in ("text", "json"):
        raise _fail(f"--format {fmt}: expected text or json", EXIT_INPUT)
    try:
        oxi = open_store(store)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    try:
        candidates = store_candidates(store)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise _fail(f"{store}: cannot read its candidate pairs: {exc}", EXIT_STORE) from exc
    try:
        result = evaluate_store(oxi, gold, gold_format, show, candidates)
    except (OSError, ValueError) as exc:
        raise _fail(f"{gold}: {exc}" if str(gold) not in str(exc) else str(exc),
                    EXIT_INPUT) from exc
    if fmt == "json":
        sys.stdout.write(json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_evaluation(result))


@app.command("report")
def report_cmd(
    store: StoreOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.",
                                         show_default=False)] = ...,  # type: ignore[assignment]
    gold: Annotated[Path | None, typer.Option(
        help="Gold clusters (as for kg evaluate): adds precision and recall, against the "
        "threshold too, and the worst errors.", show_default=False)] = None,
    gold_format: Annotated[str, typer.Option(
        "--gold-format", help="auto, clusters, pairs or merged-ids.")] = "auto",
    base: Annotated[str, typer.Option(
        help="Where work ids link to: BASE + work/ID. Default: the graph's own IRIs; for a "
        "kg serve, e.g. http://127.0.0.1:7878/id/, the most uncertain works also link to "
        "its review page (/review?work=ID).")] = "",
) -> None:
    """Write one self-contained HTML page (no network needed) that explains a build:
    counts and the PRISMA flow, the match weights of every comparison level, the score
    distribution with the threshold, cluster sizes, the pairs each blocking rule proposed,
    stage times, the largest and the most uncertain works; with --gold, precision and
    recall and the worst errors. The same store gives the same bytes."""
    import zipfile

    from .report import write_report
    from .vocab import DATA

    try:
        write_report(store, output, gold, gold_format, base or DATA)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    except (zipfile.BadZipFile, KeyError) as exc:
        raise _fail(f"{store}: cannot read its candidate pairs: {exc}", EXIT_STORE) from exc
    except (OSError, ValueError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from exc
    err.print(f"wrote {output}", highlight=False)


@app.command("sources")
def sources_cmd(
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print a Markdown table (as in docs/sources.md).")] = False,
) -> None:
    """List the input formats kg build reads: the name for --format or FORMAT:PATH, the
    default source name, how each is recognized and which identifiers it keeps.

    The content decides first (XML root, JSON keys, a first TY or @ line), then the
    extension; FORMAT:PATH or --format overrides both.
    """
    rows = [(f.name, f.title, f.service or "file name", f.detection, " ".join(f.extensions),
             f.ids) for f in FORMATS.values()]
    header = ("format", "what", "source", "recognized by", "usual extensions", "ids kept")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    table = Table(*header, title="kg build inputs", show_lines=True)
    for row in rows:
        table.add_row(*row)
    out.print(table)


@app.command()
def info(store: StoreOpt) -> None:
    """Show what build made a store: inputs, settings, counts and timings."""
    try:
        meta = store_metadata(store)
    except StoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from exc
    out.print_json(data=meta)


from .cli_review import register  # noqa: E402  (decide, decisions, explain, review)

register(app)
app.command("dedupe")(dedupe_command)
from . import cli_add as _cli_add  # noqa: E402,F401,I001  (registers kg add)


def main() -> None:
    app()


if __name__ == "__main__":  # python -m kg.cli: run the module kg.cli, where kg add is registered
    from kg.cli import main as _main
    _main()
