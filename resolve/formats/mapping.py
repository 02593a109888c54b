"""From what a format parser read (a flat mapping) to a :class:`Record`.

Every format's :class:`~resolve.formats.base.Entry` has the same keys (``id``,
``title``, ``authors``, ``year``, ``date``, ``venue``, ``volume``, ``issue``,
``pages``, ``abstract``, ``type``, ``doi``, ``arxiv``, ``pmid``, ``pmcid``,
``isbn``, ``issn``, ``url``/``urls``, ``identifiers``); here they are
normalized onto the model, identifiers found in URLs and arXiv DOIs added.
A record without an id, with a field over the size limit or an identifier
that is not Unicode, or of a shape that cannot be used, is a
:class:`Rejection` instead (see :mod:`resolve.formats.limits`).
"""

from __future__ import annotations

from .. import normalize as nz
from ..types import Author, Record, Rejection
from .base import DATA_ERRORS
from .limits import escape_surrogates, field_problem, repair_fields

__all__ = ["parse_authors", "record_from_mapping"]


def _as_list(value: object) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v not in (None, "")]
    return [value]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    text = nz.clean_text(str(value))
    return "" if nz.is_placeholder(text) else text


def parse_authors(value: object) -> tuple[Author, ...]:
    """Authors from a string (``"A; B"``, run-together PubMed style, ...),
    a list of names, or a list of ``{"family", "given"}``/``{"name"}`` objects;
    a ``{"literal"}`` object (without family or given) is a group or
    institution, kept whole (:func:`resolve.normalize.organization_author`)."""
    authors: list[Author] = []
    items = nz.split_authors(value) if isinstance(value, str) else _as_list(value)
    for item in items:
        if isinstance(item, dict):
            family = item.get("family") or item.get("last") or item.get("lastName")
            given = item.get("given") or item.get("first") or item.get("firstName")
            literal = item.get("literal")
            if literal and not family and not given:  # a group or institution, whole
                a = nz.organization_author(str(literal))
                if a.key:
                    authors.append(a)
                continue
            name = item.get("name") or item.get("display_name") or item.get("literal")
            if family or given or name:
                a = nz.author_from_parts(
                    str(family) if family else None, str(given) if given else None,
                    str(name) if name else None)
                if a.key:
                    authors.append(a)
        elif isinstance(item, str) and item.strip() and not nz.is_placeholder(item):
            a = nz.parse_author(item)
            if a.key:
                authors.append(a)
    return tuple(authors)


def record_from_mapping(obj: dict, source: str, origin: str, raw: str = "") -> Record | Rejection:
    """Map one flat input object (a JSON record, a CSV row, or what a format
    parser made of a native record) onto a :class:`Record`.

    A field over :data:`~resolve.formats.limits.MAX_FIELD_BYTES`, or a lone
    surrogate in an identifier, rejects the record; a lone surrogate in
    other text is replaced by U+FFFD."""
    raw = escape_surrogates(raw)
    rid = obj.get("id")
    if isinstance(rid, int | float) and not isinstance(rid, bool):
        rid = str(int(rid)) if float(rid).is_integer() else str(rid)
    if not isinstance(rid, str) or not rid.strip():
        return Rejection(origin, "record has no id (a non-empty string or number)",
                         raw=raw, source=source)
    rid = rid.strip()
    if (problem := field_problem(obj)) is not None:
        return Rejection(origin, problem, raw=raw, source=source,
                         record_id=escape_surrogates(rid)[:1000])
    try:
        return _build_record(repair_fields(obj), source, rid, origin, raw)
    except DATA_ERRORS as exc:
        return Rejection(origin, escape_surrogates(f"unusable record: {exc}"), raw=raw,
                         source=source, record_id=rid)


class _Identifiers:
    """The identifiers of one record as they are found, and the version of
    its first arXiv id that has one."""

    def __init__(self) -> None:
        self.ids: set[tuple[str, str]] = set()
        self.arxiv_version: int | None = None

    def add_arxiv(self, value: object) -> None:
        parsed = nz.parse_arxiv(str(value))
        if parsed:
            self.ids.add(("arxiv", parsed[0]))
            if parsed[1] is not None and self.arxiv_version is None:
                self.arxiv_version = parsed[1]

    def add_doi(self, value: object) -> None:
        if doi := nz.normalize_doi(str(value)):
            self.ids.add(("doi", doi))


def _field_ids(obj: dict, found: _Identifiers) -> None:
    """The identifier fields: doi, arxiv, pmid, pmcid, isbn, issn."""
    for value in _as_list(obj.get("doi")):
        found.add_doi(value)
    for value in _as_list(obj.get("arxiv")):
        found.add_arxiv(value)
    for scheme, normalize in (("pmid", nz.normalize_pmid), ("pmcid", nz.normalize_pmcid)):
        for value in _as_list(obj.get(scheme)):
            if v := normalize(str(value)):
                found.ids.add((scheme, v))
    for value in _as_list(obj.get("isbn")):
        # Exports put ISSNs (with notes and line breaks) in the isbn field too.
        if v := nz.normalize_isbn(str(value)):
            found.ids.add(("isbn", v))
        found.ids.update(("issn", issn) for issn in nz.normalize_issns(str(value)))
    for value in _as_list(obj.get("issn")):
        found.ids.update(("issn", issn) for issn in nz.normalize_issns(str(value)))


def _scheme_ids(extra: object, found: _Identifiers) -> None:
    """``identifiers``: ``{scheme: value or values}``; doi and arxiv are normalized."""
    if not isinstance(extra, dict):
        return
    for scheme, values in extra.items():
        scheme = str(scheme).strip().lower()
        for value in _as_list(values):
            text = str(value).strip()
            if not scheme or not text:
                continue
            if scheme == "doi":
                found.add_doi(text)
            elif scheme == "arxiv":
                found.add_arxiv(text)
            else:
                found.ids.add((scheme, text))


def _url_ids(obj: dict, found: _Identifiers) -> list[str]:
    """The normalized URLs of ``url`` and ``urls`` (several to a value, split
    on spaces), each adding the identifier it names (a DOI, arXiv, PubMed or
    PMC URL) and, for an archived copy, the original it copies."""
    urls: list[str] = []
    for value in _as_list(obj.get("url")) + _as_list(obj.get("urls")):
        for part in str(value).split():
            url = nz.normalize_url(part)
            for u in (url, nz.archived_original(url)):
                if not u or u in urls:
                    continue
                urls.append(u)
                ident = nz.url_identifier(u)
                if ident and ident[0] == "arxiv":
                    found.add_arxiv(u)
                elif ident:
                    found.ids.add(ident)
    return urls


def _build_record(obj: dict, source: str, rid: str, origin: str, raw: str = "") -> Record:
    found = _Identifiers()
    _field_ids(obj, found)
    _scheme_ids(obj.get("identifiers"), found)
    urls = _url_ids(obj, found)
    # A DOI minted by arXiv names the arXiv preprint.
    for scheme, value in sorted(found.ids):
        if scheme == "doi" and value.startswith("10.48550/arxiv."):
            found.add_arxiv(value)

    year = nz.normalize_year(obj.get("year"))
    date = _text(obj.get("date")) or None
    if year is None and date:
        year = nz.normalize_year(date)
    return Record(
        source=source,
        record_id=rid,
        title=_text(obj.get("title")),
        authors=parse_authors(obj.get("authors", obj.get("author"))),
        year=year,
        date=date,
        venue=_text(obj.get("venue")),
        volume=_text(obj.get("volume")),
        issue=_text(obj.get("issue")),
        pages=nz.normalize_pages(_text(obj.get("pages"))),
        abstract=_text(obj.get("abstract")),
        type=_text(obj.get("type")),
        identifiers=tuple(sorted(found.ids)),
        urls=tuple(urls),
        arxiv_version=found.arxiv_version,
        origin=origin,
        raw=raw,
    )
