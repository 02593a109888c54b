"""The ``kg`` commands of people's judgement: ``decide``, ``decisions``,
``explain`` and ``review`` (registered on :data:`kg.cli.app` by
:func:`register`; the logic is in :mod:`kg.decisions`, :mod:`kg.explain`,
:mod:`kg.review` and :mod:`kg.review_tty`)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from . import decisions as human
from .store import StoreError

StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Store directory.",
                                        show_default=False)]
RecordArg = Annotated[str, typer.Argument(
    metavar="SOURCE:ID", help="A record, as kg export --format clusters names it "
    "(source and record id, e.g. arxiv:1810.04805v2).", show_default=False)]


def register(app: typer.Typer) -> None:
    from .cli import EXIT_INPUT, EXIT_STORE, _fail, err, out

    def view_of(store: Path):
        from .explain import StoreView

        try:
            return StoreView(store)
        except (StoreError, human.DecisionError) as exc:
            raise _fail(str(exc), EXIT_STORE) from exc

    def keys(view, *names: str):
        try:
            return [view.key(n) for n in names]
        except human.DecisionError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc

    @app.command()
    def decide(
        a: RecordArg, b: RecordArg, store: StoreOpt,
        same: Annotated[bool | None, typer.Option(
            "--same/--different", help="The two records are one work (--same) or never "
            "one work (--different).", show_default=False)] = None,
        note: Annotated[str, typer.Option(help="Why (kept with the decision).")] = "",
        by: Annotated[str, typer.Option(help="Who decides. Default: $KG_USER, else the "
                                        "login name.", show_default=False)] = "",
    ) -> None:
        """Record that two records are (--same) or are not (--different) one work.

        The decision is kept with the store (DIR/decisions.csv), survives every rebuild
        and is applied by every later kg build over the store as a must-link or
        cannot-link constraint: --same joins the two works, --different keeps the two
        records apart however other records chain them. It does not rebuild: decisions
        batch up (a review records many) and the next kg build applies them all; this
        command says what that build will change. A new decision on a pair replaces the
        old one; one that contradicts the others (A same B, B same C, A different C) is
        refused (exit 2).
        """
        if same is None:
            raise _fail("give --same or --different", EXIT_INPUT)
        from .explain import preview

        view = view_of(store)
        x, y = keys(view, a, b)
        try:
            d = human.make(x, y, same, by, note)
            previous = view.decisions.get(d.pair)
            human.record(store, [d])
        except human.DecisionError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
        except StoreError as exc:
            raise _fail(str(exc), EXIT_STORE) from exc
        out.print(f"recorded: {human.name(d.a)} and {human.name(d.b)} are "
                  f"{'the same work' if same else 'different works'} (by {d.by})",
                  highlight=False)
        if previous is not None and previous.verdict != d.verdict:
            out.print(f"replaces: {previous.verdict} by {previous.by} at {previous.at}",
                      highlight=False)
        out.print(preview(view, d), highlight=False)

    @app.command("decisions")
    def decisions_cmd(
        store: StoreOpt,
        export: Annotated[str | None, typer.Option(
            "--export", help="Write the decisions as CSV to this file (- for standard "
            "output).", show_default=False)] = None,
        import_: Annotated[Path | None, typer.Option(
            "--import", help="Add the decisions of this CSV (as --export writes it); for a "
            "pair decided both here and there, the later decision wins.",
            show_default=False)] = None,
    ) -> None:
        """List, export or import the decisions kept with a store.

        CSV columns: source_a, record_a, source_b, record_b, decision (same or
        different), by, at (ISO 8601 UTC), note. The listing says which decisions the
        current build applied and which the next kg build will.
        """
        if export and import_:
            raise _fail("give --export or --import, not both", EXIT_INPUT)
        try:
            if import_ is not None:
                new = human.parse_csv(import_.read_text(encoding="utf-8"), str(import_))
                before = set(human.read(store))
                kept, _ = human.record(store, new)
                changed = len(set(kept) - before)
                out.print(f"imported {len(new)} decision(s) from {import_}: {changed} new or "
                          f"changed, {len(kept)} kept; the next kg build applies them",
                          highlight=False)
                return
            if export is not None:
                text = human.format_csv(human.read(store))
                if export == "-":
                    sys.stdout.write(text)
                else:
                    Path(export).write_text(text, encoding="utf-8")
                    err.print(f"wrote {text.count(chr(10)) - 1} decision(s) to {export}",
                              highlight=False)
                return
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"{import_ or export}: {exc}", EXIT_INPUT) from exc
        except human.DecisionError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
        except StoreError as exc:
            raise _fail(str(exc), EXIT_STORE) from exc
        view = view_of(store)
        table = Table("record a", "record b", "decision", "by", "at", "note", "status",
                      title=f"{len(view.decisions)} decision(s)", title_justify="left")
        for d in sorted(view.decisions.values()):
            table.add_row(human.name(d.a), human.name(d.b), d.verdict, d.by, d.at, d.note,
                          "next build" if view.pending(d) else "applied")
        out.print(table)

    @app.command("explain")
    def explain_cmd(
        a: RecordArg, b: RecordArg, store: StoreOpt,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ) -> None:
        """Why two records are, or are not, one work: the pair's score and per-field
        evidence (scored now if the build kept none), the chain of records that joined
        them, or the rule, tie or person's decision that kept them apart."""
        from .explain import explain_pair, format_explanation

        if fmt not in ("text", "json"):
            raise _fail(f"--format {fmt}: expected text or json", EXIT_INPUT)
        view = view_of(store)
        x, y = keys(view, a, b)
        try:
            result = explain_pair(view, x, y)
        except StoreError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
        if fmt == "json":
            data = asdict(result)
            data["line"] = result.line
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        else:
            sys.stdout.write(format_explanation(result))

    @app.command("review")
    def review_cmd(
        store: StoreOpt,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text, csv or json.")
                       ] = "text",
        limit: Annotated[int, typer.Option(min=0, help="At most this many items; 0: all.")
                         ] = 50,
        interactive: Annotated[bool, typer.Option(
            "--interactive", "-i", help="Go through the queue in the terminal, the records "
            "side by side: s same, d different, k skip, u undo, q quit. Each decision is "
            "recorded at once (as kg decide does).")] = False,
        by: Annotated[str, typer.Option(help="Who decides (--interactive). Default: "
                                        "$KG_USER, else the login name.",
                                        show_default=False)] = "",
    ) -> None:
        """List what deserves a person's look, most useful first: pairs near the
        threshold, merges a rule vetoed, ties left apart, community splits, big or unusual
        works; each with the one-line explanation kg evaluate prints. Pairs already
        decided are left out. In a browser: kg serve --review, then /review."""
        from .review import format_items, review_queue

        if fmt not in ("text", "csv", "json"):
            raise _fail(f"--format {fmt}: expected text, csv or json", EXIT_INPUT)
        view = view_of(store)
        items = review_queue(view, limit or None)
        if not interactive:
            sys.stdout.write(format_items(items, fmt))
            return
        from .review_tty import run

        def read_key() -> str:
            if sys.stdin.isatty():
                return typer.getchar()
            return sys.stdin.readline()

        try:
            run(view, items, read_key, lambda s: print(s, flush=True), by)
        except human.DecisionError as exc:
            raise _fail(str(exc), EXIT_INPUT) from exc
        except StoreError as exc:
            raise _fail(str(exc), EXIT_STORE) from exc
