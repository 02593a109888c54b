"""The shipped SPARQL queries, and running any query against a store.

A shipped query is a ``.rq`` file in ``queries/`` whose leading comment lines
document it::

    # title: Works with more than one record
    # description: ...
    # param: author  A (part of an) author name, any case

A parameter is a SPARQL variable of the query; ``--param author=Vaswani``
replaces it by a value (a string literal, or an IRI when written ``<...>``)
before the query runs, as a prepared statement does.  ``?author_key``, if the
query uses it, is replaced by the value as a matching key ("vaswani").
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Store

from resolve.normalize import fold

from .vocab import PREFIXES


class QueryError(Exception):
    """A query that cannot be found, parsed or run."""


def data_dir(name: str) -> Path:
    """``ontology`` or ``queries``: inside the installed package, or next to it
    in a source checkout (editable install)."""
    packaged = resources.files("kg") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parent.parent / name
    if source.is_dir():
        return source
    raise QueryError(f"cannot find the {name}/ folder of kg-resolve")


@dataclass(frozen=True)
class ShippedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[tuple[str, str], ...]
    text: str


_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")


def parse_query_file(path: Path) -> ShippedQuery:
    text = path.read_text(encoding="utf-8")
    title, description, params = "", [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        kind, value = m.group(1), m.group(2).strip()
        if kind == "title":
            title = value
        elif kind == "description":
            description.append(value)
        else:
            pname, _, doc = value.partition(" ")
            params.append((pname, doc.strip()))
    return ShippedQuery(path.stem, path, title, " ".join(description), tuple(params), text)


def shipped_queries() -> dict[str, ShippedQuery]:
    folder = data_dir("queries")
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def queries_markdown(queries: dict[str, ShippedQuery] | None = None) -> str:
    """The shipped queries as a Markdown table (name, parameters, what it
    answers), the one the README shows; ``kg query --list --format markdown``."""
    queries = shipped_queries() if queries is None else queries
    lines = ["| name | parameters | answers |", "|---|---|---|"]
    for q in queries.values():
        params = "<br>".join(f"`{name}`: {doc}" if doc else f"`{name}`" for name, doc in q.params)
        answers = f"**{q.title}.** {q.description}".strip()
        lines.append(f"| `{q.name}` | {params} | {answers} |".replace("|  |", "| |"))
    return "\n".join(lines) + "\n"


def resolve_query(query: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """QUERY as a shipped query name, a ``.rq`` file, or inline SPARQL."""
    shipped = shipped_queries()
    if query in shipped:
        return shipped[query].text, shipped[query].params
    path = Path(query)
    if query.endswith(".rq") or (len(query) < 4096 and "\n" not in query and path.is_file()):
        if not path.is_file():
            raise QueryError(f"{query}: no such query file")
        q = parse_query_file(path)
        return q.text, q.params
    if re.search(r"\b(select|construct|ask|describe)\b", query, re.IGNORECASE):
        return query, ()
    raise QueryError(
        f"{query!r} is not a shipped query, a .rq file or SPARQL; shipped queries: "
        + ", ".join(shipped))


def param_term(value: str) -> str:
    """A parameter value as a SPARQL term: an IRI when written ``<...>``,
    else a string literal (escaped)."""
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        try:
            NamedNode(iri)
        except ValueError as exc:
            raise QueryError(f"invalid IRI {value}: {exc}") from exc
        if re.search(r'[\s<>"{}|^`\\]', iri):
            raise QueryError(f"invalid IRI {value}")
        return f"<{iri}>"
    return str(Literal(value))


def match_key(value: str) -> str:
    """A parameter as kg-resolve's matching keys spell text (``kgr:authorKey``):
    accents transliterated, lowercase, letters, digits and single spaces."""
    return " ".join(re.sub(r"[^a-z0-9 ]", "", fold(value)).split())


def bind_params(text: str, params: dict[str, str]) -> str:
    """Replace each parameter variable (``?name`` or ``$name``) by its value,
    as a prepared statement does.  In a SELECT projection the variable stays
    a column, bound to the value: ``(value AS ?name)``.  A string parameter
    is also bound, as a matching key (:func:`match_key`: "Šimko" -> "simko"),
    to ``?name_key`` where the query uses that variable.

    All parameters are bound in one pass over the query text, so a value is
    never read again: ``a=?b`` gives the literal ``"?b"``, not ``b``'s value."""
    terms: dict[str, str] = {}
    for name, value in params.items():
        if not re.search(rf"[?$]{re.escape(name)}\b", text):
            raise QueryError(f"parameter {name!r} is not a variable of this query")
        terms[name] = param_term(value)
    for name, value in params.items():
        key = f"{name}_key"
        if not value.startswith("<") and key not in terms:
            terms[key] = str(Literal(match_key(value)))
    if not terms:
        return text
    names = "|".join(re.escape(n) for n in sorted(terms, key=len, reverse=True))
    # variable names are case-sensitive, the keyword AS is not
    pattern = re.compile(rf"((?i:\bAS)\s+)?[?$]({names})\b")

    def bind(m: re.Match[str], projected: bool) -> str:
        name = m.group(2)
        if m.group(1):  # ``AS ?name``: the variable is being named, not used
            return m.group(0)
        return f"({terms[name]} AS ?{name})" if projected else terms[name]

    body = text.find("{")
    head, rest = (text, "") if body < 0 else (text[:body], text[body:])
    projection = re.search(r"\bSELECT\b", head, re.IGNORECASE)
    if projection:
        head = head[:projection.end()] + pattern.sub(lambda m: bind(m, True),
                                                     head[projection.end():])
    return head + pattern.sub(lambda m: bind(m, False), rest)


def run_query(store: Store, text: str, params: dict[str, str] | None = None,
              declared: tuple[tuple[str, str], ...] = ()):
    params = params or {}
    missing = [name for name, _ in declared if name not in params]
    if missing:
        raise QueryError("missing parameter(s): " + ", ".join(
            f"--param {m}=..." for m in missing))
    try:
        return store.query(bind_params(text, params), prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from exc


def term_text(term: object) -> str:
    if term is None:
        return ""
    return getattr(term, "value", str(term))


def result_rows(result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a SELECT/ASK/CONSTRUCT result, as plain strings."""
    if isinstance(result, QueryBoolean):
        return ["result"], [["true" if bool(result) else "false"]]
    if isinstance(result, QuerySolutions):
        header = [v.value for v in result.variables]
        return header, [[term_text(sol[h]) for h in header] for sol in result]
    return ["subject", "predicate", "object"], [
        [term_text(t.subject), term_text(t.predicate), term_text(t.object)] for t in result]


def format_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def format_json(header: list[str], rows: list[list[str]]) -> str:
    return json.dumps([dict(zip(header, r, strict=True)) for r in rows],
                      indent=2, ensure_ascii=False) + "\n"
