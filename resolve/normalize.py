"""Text, identifier and name normalization: display repair and matching keys.

Every function is pure and total (bad input gives ``""``, ``None`` or ``[]``,
never an exception, except where a type error is the caller's bug).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote_plus, unquote, urlsplit

import ftfy
from anyascii import anyascii

from .types import Author

_TAG_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9:_.-]*)(?:\s[^<>]*)?/?>")
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "tr", "td", "jats:p", "jats:sec", "jats:title",
                         "sec", "title"})
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_INVISIBLE = str.maketrans("", "", "\u200b\u200e\u200f\u2060\ufeff\xad")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def _tag_sub(m: re.Match[str]) -> str:
    return " " if m.group(1).lower() in _BLOCK_TAGS else ""


def clean_text(s: str | None) -> str:
    """Repair display text: entities, tags, mojibake, NFKC, whitespace."""
    if not s:
        return ""
    s = str(s)
    if "&" in s:
        s = html.unescape(s)
        if "&" in s and _ENTITY_RE.search(s):
            s = html.unescape(s)
    if "<" in s:
        s = _TAG_RE.sub(_tag_sub, s)
    if not s.isascii():
        if "\u00e2?" in s:
            s = _LOST_MOJIBAKE_RE.sub(_lost_mojibake, s)
        s = unicodedata.normalize("NFKC", _fix_mojibake(s)).translate(_INVISIBLE)
    return " ".join(s.split())


# Punctuation whose UTF-8 was read as cp1252 and whose middle byte was then
# lost to "?" (web-scraped records: "Metanoia\u00e2??New", "Franklin\u00e2?\u00a6"):
# no repair can say which quote or dash it was, but "\u00e2?\u00a6" was an ellipsis.
_LOST_MOJIBAKE_RE = re.compile("\u00e2\\?[\\?\u00a6\u0080-\u00bf\u2018-\u201e\u2020-\u2122]")


def _lost_mojibake(m: re.Match[str]) -> str:
    """An ellipsis for the lost ellipsis, a space for a lost quote or dash."""
    return "\u2026" if m.group().endswith("\u00a6") else " "


def _ftfy(s: str) -> str:
    return ftfy.fix_text(s, unescape_html=False, uncurl_quotes=False, normalization=None)


# A mojibake sequence starts with the cp1252/latin-1 reading of a UTF-8 lead
# byte (U+00C2..U+00F4) followed by that of a continuation byte (0x80..0xBF).
_CONTINUATION = "".join(bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xC0))
_MOJIBAKE_HINT_RE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + re.escape(_CONTINUATION) + "]")
# Words split at ASCII whitespace only: U+00A0 and U+0085 can be part of a
# mojibake sequence ("Ã\xa0" for "à").
_ASCII_SPACE_RE = re.compile(r"([ \t\r\n]+)")


def _fix_mojibake(s: str) -> str:
    """ftfy on a short text.  On a long one (an abstract), ftfy's checks cost
    time in proportion to its length, so it is run only where mojibake can
    be: on each run of words with non-ASCII characters, with two words of
    context on either side (runs that close are fixed together), and only
    if the text has the start of a mojibake sequence at all.  (Identical to ftfy
    on the whole text on every non-ASCII text of the shared data.)"""
    if len(s) <= 300:
        return _ftfy(s)
    if not _MOJIBAKE_HINT_RE.search(s):
        return s
    parts = _ASCII_SPACE_RE.split(s)  # words at even positions, spaces between
    words = parts[0::2]
    windows: list[list[int]] = []
    for k, word in enumerate(words):
        if word.isascii():
            continue
        start, end = max(k - 2, 0), min(k + 2, len(words) - 1)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    for start, end in reversed(windows):
        parts[2 * start: 2 * end + 1] = [_ftfy("".join(parts[2 * start: 2 * end + 1]))]
    return "".join(parts)


_PLACEHOLDERS = frozenset({"n/a", "n.a.", "n / a", "none", "null", "nil", "unknown",
                           "anonymous", "anon", "-", "--", "?", "not available"})


def is_placeholder(s: str | None) -> bool:
    """Whether a field holds a stand-in for "no value" ("N/A", "unknown",
    "-"), as exports from databases print for an empty column: such a value
    is missing, not a value that two records can share."""
    return s is not None and s.strip().lower() in _PLACEHOLDERS


def fold(s: str) -> str:
    """Matching fold: NFKC, ASCII transliteration, lowercase."""
    return s.lower() if s.isascii() else anyascii(unicodedata.normalize("NFKC", s)).lower()


_fold_name = lru_cache(maxsize=1 << 16)(fold)  # names repeat across records


def normalize_title(s: str | None) -> str:
    """Title matching key: folded alphanumeric tokens joined by single spaces."""
    return " ".join(_NON_ALNUM_RE.sub(" ", fold(clean_text(s))).split())


# A reference-list string scraped into a title field begins with the tail of
# its author list and often a year: "Neil, and G. Weikum. The LRU-K Page
# Replacement Algorithm ...", "P., Naughton, JF, Shukla, A.(1998) Simultaneous
# ...", "Smith. BL (1990). Learning communities ...".
_LEAD_INITIALS = re.compile(r"^(?:(?:[A-Z]\.){1,3},?|[A-Z]{1,2}[.,]{1,2})$")  # "D." "J.F.," "JF,"
_LEAD_BARE_INITIALS = re.compile(r"^[A-Z]{1,2}$")                          # "SB" (Zdonik)
_LEAD_NAME = re.compile(r"^[A-Z][a-z\u00c0-\u024f'\u2019\-]+[.,]?$")       # "Shasha," "Ullman."
_LEAD_CAPITALIZED = re.compile(r"^[A-Z][a-z]")
_LEAD_JOINER = re.compile(r"^(?:and|adn|und|&|&amp;)$")
_LEAD_ET_AL = re.compile(r"^(?:et\.?|al\.?,?|ai\.?,?)$")
_LEAD_YEAR = re.compile(
    r"^(?:\(?(?:19|20)\d\d[a-z]?\)?|[A-Z]{1,3}\.?\((?:19|20)\d\d[a-z]?\))[.,:]*$")
_LEAD_MAX_WORDS = 12
_OPENING_QUOTES = "\"'\u201c\u2018\u00ab"


def strip_citation_lead(title: str) -> str | None:
    """The title without a citation's lead, or None when it has none.

    Serves reference-list citations scraped or parsed into records (Google
    Scholar's result pages, citation parsers): the title field then starts
    with the end of the author list, and a year ("Mannila, and S. Saluja.
    Discovering ...", "K. & Brodbeck, D.(1998). The order of things ...").
    A lead is at most 12 words, each a capitalized name, initials, "and", "et
    al." or a year; it holds initials, a year or "et al." and ends with ".",
    "," or ")" (not ":", a title's own colon), and what follows starts with a capital or a
    quote and has three words or more.  A title's own opening is no lead: its
    words are not all names ("Sleepers and Workaholics: ...", "Edgar F. Codd:
    a tribute", "As E. coli continues ...")."""
    words = title.split()
    signal = False
    for k, w in enumerate(words[:_LEAD_MAX_WORDS]):
        if _LEAD_INITIALS.match(w) or _LEAD_YEAR.match(w) or _LEAD_ET_AL.match(w):
            signal = True
        elif not (_LEAD_NAME.match(w) or _LEAD_JOINER.match(w) or _LEAD_BARE_INITIALS.match(w)):
            return None
        if k < 1 or not signal or w[-1] not in ".,)":
            continue
        rest = words[k + 1:]
        if len(rest) < 3 or sum(map(len, rest)) + len(rest) - 1 < 20:
            return None
        nxt = rest[0]
        if ((_LEAD_INITIALS.match(w) and _LEAD_CAPITALIZED.match(nxt))
                or _LEAD_INITIALS.match(nxt) or _LEAD_BARE_INITIALS.match(nxt)
                or _LEAD_JOINER.match(nxt) or _LEAD_YEAR.match(nxt) or _LEAD_ET_AL.match(nxt)):
            continue  # a middle initial ("Jeffrey D. Ullman"), or more of the lead
        if not (nxt[0].isupper() or nxt[0] in _OPENING_QUOTES):
            return None
        return " ".join(rest)
    return None


_TITLE_STOP = frozenset(
    "a an the of in on for and to with by at from is are as its via into or".split())


def title_tokens(key: str) -> list[str]:
    """Tokens of a normalized title key minus stopwords and 1-letter tokens."""
    return [t for t in key.split() if t not in _TITLE_STOP and (len(t) > 1 or t.isdigit())]


_DOI_RE = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+")
_DOI_VALID_RE = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]+)*/.+", re.S)
_DOI_TRAIL = ".,;:'\""
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _strip_doi_tail(d: str) -> str:
    while d:
        c = d[-1]
        if c in _DOI_TRAIL or c.isspace():
            d = d[:-1]
        elif c in _PAIRS and d.count(_PAIRS[c]) < d.count(c):
            d = d[:-1]
        else:
            break
    return d


def normalize_doi(s: str | None) -> str | None:
    """Canonical lowercase DOI ``10.NNNN/suffix`` found in *s*, or None."""
    if not s:
        return None
    t = str(s).strip().lower()
    while "%" in t:  # decode to a fixed point so the result re-normalizes to itself
        u = unquote(t).lower()
        if u == t:
            break
        t = u
    m = _DOI_RE.search(t)
    if not m:
        return None
    d = _strip_doi_tail(m.group(0))
    return d if _DOI_VALID_RE.fullmatch(d) else None


_ARXIV_NEW_RE = re.compile(
    r"(?<![0-9])(?<![0-9]\.)([0-9]{2})([0-9]{2})\.([0-9]{4,5})(?:v([0-9]+))?(?![0-9])")
_ARXIV_OLD_RE = re.compile(
    r"(?<![a-z])([a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?)/([0-9]{2})([0-9]{2})([0-9]{3})(?:v([0-9]+))?(?![0-9])"
)


def parse_arxiv(s: str | None) -> tuple[str, int | None] | None:
    """``(id, version)`` from an arXiv id, URL or arXiv DOI; None if absent."""
    if not s:
        return None
    t = str(s).lower()
    for m in _ARXIV_NEW_RE.finditer(t):
        if 1 <= int(m.group(2)) <= 12:
            v = m.group(4)
            return f"{m.group(1)}{m.group(2)}.{m.group(3)}", int(v) if v else None
    for m in _ARXIV_OLD_RE.finditer(t):
        if 1 <= int(m.group(3)) <= 12:
            v = m.group(5)
            return f"{m.group(1)}/{m.group(2)}{m.group(3)}{m.group(4)}", int(v) if v else None
    return None


_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def _arxiv_path_id(path: str) -> tuple[str, int | None] | None:
    for prefix in ("/abs/", "/pdf/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            if rest.lower().endswith(".pdf"):
                rest = rest[:-4]
            return parse_arxiv(rest)
    return None


def normalize_url(s: str | None) -> str | None:
    """Canonical https URL (lowercase host, no fragment/tracking), or None."""
    if not s:
        return None
    try:
        parts = urlsplit(str(s).strip())
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if host in _ARXIV_HOSTS:
        aid = _arxiv_path_id(parts.path)
        if aid:
            return f"https://arxiv.org/abs/{aid[0]}" + (f"v{aid[1]}" if aid[1] is not None else "")
    if host in _DOI_HOSTS:
        host = "doi.org"
    if scheme == "http":
        scheme = "https"
    if ":" in host:
        host = f"[{host}]"
    default_port = port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower())
    netloc = host if default_port else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in _query_pairs(parts.query)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING
    )
    return f"{scheme}://{netloc}{path}" + (f"?{_urlencode(query)}" if query else "")


# What quote_plus leaves as it is (its always-safe characters).
_QUERY_SAFE_RE = re.compile(r"[A-Za-z0-9_.~-]*")


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """``urllib.parse.parse_qsl(query, keep_blank_values=True)``, the same
    pairs, unquoting only the names and values that hold a ``%``
    (``parse_qsl`` calls ``unquote`` on each)."""
    pairs = []
    for field in query.split("&") if query else ():
        if not field:
            continue
        name, _, value = field.partition("=")
        name, value = name.replace("+", " "), value.replace("+", " ")
        pairs.append((unquote(name) if "%" in name else name,
                      unquote(value) if "%" in value else value))
    return pairs


def _urlencode(query: list[tuple[str, str]]) -> str:
    """``urllib.parse.urlencode(query)``, the same text, without quoting the
    keys and values that need none (most do not; quoting was half of
    reading a database export whose URLs carry long queries)."""
    return "&".join(
        (k if _QUERY_SAFE_RE.fullmatch(k) else quote_plus(k)) + "="
        + (v if _QUERY_SAFE_RE.fullmatch(v) else quote_plus(v))
        for k, v in query)


_PUBMED_PATH_RE = re.compile(r"/(?:pubmed/)?([0-9]+)/?$")
_PMC_PATH_RE = re.compile(r"/(?:pmc/)?articles/(pmc[0-9]+)", re.I)


_ARCHIVED_RE = re.compile(r"^https?://web\.archive\.org/web/[0-9a-z_*]+/(.+)$", re.I)


def archived_original(url: str | None) -> str | None:
    """The original URL inside a Wayback Machine URL
    (``https://web.archive.org/web/2017/https://arxiv.org/pdf/X`` -> the arXiv
    URL), normalized; ``None`` for any other URL."""
    m = _ARCHIVED_RE.match(str(url or "").strip())
    return normalize_url(m.group(1)) if m else None


def url_identifier(url: str) -> tuple[str, str] | None:
    """Work identifier ``(scheme, value)`` named by a DOI/arXiv/PubMed/PMC URL
    (also inside a Wayback Machine URL)."""
    if not url:
        return None
    original = archived_original(url)
    if original:
        return url_identifier(original)
    u = str(url).strip()
    if "://" not in u:
        u = "https://" + u
    try:
        parts = urlsplit(u)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    path = parts.path
    if host in ("doi.org", "dx.doi.org"):
        d = normalize_doi(path)
        return ("doi", d) if d else None
    if host in ("arxiv.org", "export.arxiv.org"):
        aid = _arxiv_path_id(path)
        return ("arxiv", aid[0]) if aid else None
    if host in ("ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "pubmed.ncbi.nlm.nih.gov"):
        m = _PMC_PATH_RE.match(path)
        if m:
            pmc = normalize_pmcid(m.group(1))
            return ("pmcid", pmc) if pmc else None
        if host == "pubmed.ncbi.nlm.nih.gov" or path.startswith("/pubmed/"):
            m = _PUBMED_PATH_RE.match(path)
            pmid = normalize_pmid(m.group(1)) if m else None
            return ("pmid", pmid) if pmid else None
    return None


_PMID_RE = re.compile(r"(?:pmid\s*[:=]?\s*)?([0-9]+)(?:\.0+)?\.?", re.I)
_PMCID_RE = re.compile(r"(?:pmcid\s*[:=]?\s*)?(?:pmc)?\s*([0-9]+)\.?", re.I)


def _digits_id(s: object, rx: re.Pattern[str]) -> str | None:
    if s is None or isinstance(s, bool):
        return None
    if isinstance(s, float):
        s = int(s) if s.is_integer() else "x"
    m = rx.fullmatch(str(s).strip())
    return (m.group(1).lstrip("0") or None) if m else None


def normalize_pmid(s: object) -> str | None:
    """PubMed id as digits without leading zeros (accepts ``"PMID: 123"``)."""
    return _digits_id(s, _PMID_RE)


def normalize_pmcid(s: object) -> str | None:
    """PMC id as ``"PMC"`` + digits (accepts ``"pmc123"`` and bare digits)."""
    d = _digits_id(s, _PMCID_RE)
    return f"PMC{d}" if d else None


_ISBN_CAND_RE = re.compile(r"[0-9][0-9-]*[0-9Xx]")
_ISBN_PREFIX_RE = re.compile(r"isbn(?:-1[03])?\s*:?", re.I)


def _isbn13(c: str) -> str | None:
    if len(c) == 10 and c[:9].isdigit() and (c[9].isdigit() or c[9] == "X"):
        check = 10 if c[9] == "X" else int(c[9])
        total = sum((10 - i) * int(ch) for i, ch in enumerate(c[:9])) + check
        body = "978" + c[:9] if total % 11 == 0 else ""
    else:
        body = c[:12] if len(c) == 13 and c.isdigit() and c[:3] in ("978", "979") else ""
    if not body:
        return None
    full = body + str(-sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(body)) % 10)
    return full if len(c) == 10 or full == c else None


def normalize_isbn(s: object) -> str | None:
    """Validated ISBN-13 (ISBN-10 converted), or None."""
    if not s:
        return None
    t = _ISBN_PREFIX_RE.sub(" ", str(s)).upper()
    cands = [c.replace("-", "") for c in _ISBN_CAND_RE.findall(t)]
    cands.append("".join(ch for ch in t if ch.isascii() and (ch.isdigit() or ch == "X")))
    for c in cands:
        r = _isbn13(c)
        if r:
            return r
    return None


_ISSN_RE = re.compile(r"(?<![0-9])([0-9]{4})[-\u2010-\u2015 ]?([0-9]{3}[0-9Xx])(?![0-9Xx])")


def normalize_issns(s: str | None) -> list[str]:
    """All valid ISSNs in *s* as ``NNNN-NNNC``, deduplicated, in order."""
    if not s:
        return []
    out: list[str] = []
    for m in _ISSN_RE.finditer(str(s)):
        d = (m.group(1) + m.group(2)).upper()
        check = -sum(int(ch) * (8 - i) for i, ch in enumerate(d[:7])) % 11
        if d[7] == ("X" if check == 10 else str(check)):
            issn = f"{d[:4]}-{d[4:]}"
            if issn not in out:
                out.append(issn)
    return out


_ETAL_RE = re.compile(r",?\s*\bet\.?\s*al\b\.?|,?\s*\band\s+others\s*$", re.I)
_AUTHOR_SEP_RE = re.compile(r"\s*[;|]\s*|,?\s+and\s+|\s+&\s+", re.I)
_RUN_RE = re.compile(r"\.(?=[^\W\d_]{2})")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PARTICLES = frozenset(
    "van von der den de del della di da dos das du la le ten ter zu bin ibn al el".split())
_NOT_LETTER_RE = re.compile(r"[^a-z]+")
_GIVEN_SPLIT_RE = re.compile(r"[\s.\-\u2010\u2011]+")


def _is_suffix(tok: str) -> bool:
    return tok.lower().strip(".,") in _SUFFIXES


def _is_caps_initials(tok: str) -> bool:
    """Web of Science writes initials without dots: ``Platt, SR`` is S. R.
    Platt and ``Selden, JR`` J. R. Selden, not Sr. and Jr."""
    return tok in ("SR", "JR")


def _is_particle(tok: str) -> bool:
    """A family-name particle in any case: ``van``, ``Del``, ``St.``."""
    return tok.lower().rstrip(".") in _PARTICLES or tok.lower() in ("st.", "ste.", "saint")


def _is_initials(tok: str) -> bool:
    """``K.``, ``R.A.``, ``J.-P.``, or 1-3 capitals without dots (``RA``)."""
    letters = tok.replace(".", "").replace("-", "")
    if not letters or not letters.isalpha() or not letters.isupper():
        return False
    if "." in tok:
        # "R.A.", "J.-P.", and "AL." (initials run together, the list's final dot)
        return all(len(p) <= 1 for p in re.split(r"[.\-]", tok)) or (
            tok.endswith(".") and tok.count(".") == 1 and len(letters) <= 3)
    return len(letters) <= 3


def _is_full_name(part: str) -> bool:
    """Whether a comma-separated piece reads as a whole name on its own."""
    toks = [t for t in part.split() if not _is_suffix(t)]
    if len(toks) < 2 or toks[0][:1].islower():
        return False
    return any(not _is_initials(t) and sum(c.isalpha() for c in t) >= 2 for t in toks)


def _initials_first(part: str) -> bool:
    """``F Carino``: initials, then a name (a whole name on its own)."""
    toks = part.split()
    return len(toks) >= 2 and _is_initials(toks[0]) and _is_full_name(part)


def _all_initials(part: str) -> bool:
    """``AA AC``: initials only, no family name (a web-scraped list that
    lost a name) -- not a family name waiting for its given name."""
    toks = part.split()
    return len(toks) >= 2 and all(_is_initials(t) for t in toks)


def _family_initials(seg: str) -> bool:
    toks = seg.split()
    return (len(toks) >= 2 and _is_initials(toks[-1]) and "." in toks[-1]
            and not _is_initials(toks[0]))


def _split_run_together(chunk: str) -> list[str]:
    """Split ``"Hirata T.Fukuse T."`` after the initial's dot."""
    out: list[str] = []
    start = 0
    for m in _RUN_RE.finditer(chunk):
        p = m.end()
        if chunk[p].isupper() and chunk[p + 1].islower() and _family_initials(chunk[start:p]):
            out.append(chunk[start:p].strip())
            start = p
    out.append(chunk[start:].strip())
    return [o for o in out if o]


def _split_chunk(chunk: str) -> list[str]:
    parts: list[str] = []
    for p in chunk.split(","):
        p = p.strip()
        if not p:
            continue
        if _is_suffix(p) and parts and not _is_caps_initials(p):
            parts[-1] += " " + p
        else:
            parts.extend(_split_run_together(p))
    # "Del Maestro, Adrian": a family name of two words, then a given name alone
    # (but "F Carino, WO'Connell" is two names: the first is initials and a name)
    if (len(parts) == 2 and not _is_full_name(parts[1]) and "," in chunk
            and not _initials_first(parts[0])):
        return [f"{parts[0]}, {parts[1]}"]
    out: list[str] = []
    i = 0
    while i < len(parts):
        p = parts[i]
        if (not _is_full_name(p) and i + 1 < len(parts)
                and not (_all_initials(p) and _initials_first(parts[i + 1]))):
            out.append(f"{p}, {parts[i + 1]}")
            i += 2
        else:
            out.append(p)
            i += 1
    return out


def split_authors(s: str | None) -> list[str]:
    """Split an author list string into individual name strings."""
    if not s:
        return []
    try:
        text = clean_text(re.sub(r"[\r\n]+", ";", str(s)))
        text = _ETAL_RE.sub("", text)
        names: list[str] = []
        for chunk in _AUTHOR_SEP_RE.split(text):
            chunk = chunk.strip(" ,;")
            if chunk and chunk.lower() not in ("others", "et al", "et al."):
                names.extend(n.strip(" ,;") for n in _split_chunk(chunk))
        return [n for n in names if n]
    except Exception:  # never raise on hostile input
        t = clean_text(str(s))
        return [t] if t else []


def _initials(given: str, caps_as_initials: bool) -> str:
    out: list[str] = []
    for tok in _GIVEN_SPLIT_RE.split(given):
        if not tok or tok in _PARTICLES or (_is_suffix(tok) and not _is_caps_initials(tok)):
            continue
        if caps_as_initials and 2 <= len(tok) <= 6 and tok.isalpha() and tok.isupper():
            out.append(_NOT_LETTER_RE.sub("", _fold_name(tok)))
            continue
        out.append(next((c for c in _fold_name(tok) if "a" <= c <= "z"), ""))
    return "".join(out)


def _make_author(name: str, family: str, given: str) -> Author:
    fam_toks = [t for t in family.split() if not _is_suffix(t)] or family.split()
    fkey = _NOT_LETTER_RE.sub("", _fold_name(" ".join(fam_toks)))
    init = _initials(given, caps_as_initials=not family.isupper())
    return Author(name=name, family=family, given=given, key=f"{fkey} {init}".strip())


_GROUP_AUTHOR_RE = re.compile(
    r"\b(?:team|group|consortium|collaboration|collaborative|committee|investigators|"
    r"trialists|corporate|society|association|council|organi[sz]ation|anthology|edition)\b",
    re.I)


# Words of a page's headings or of an affiliation that web scrapers read into
# author lists ("I Overview; Q Processing; O Techniques", "GC Introduction",
# "B Authors", "CP UniversityofMaryland"): no person's family name.
_NOT_A_PERSON_RE = re.compile(
    r"\b(?:introduction|overview|tutorial|abstract|authors?|processing|techniques?|"
    r"approach|preface|foreword|contents|chapter|appendix|references|department|"
    r"institute|laborator(?:y|ies)|university\w*|proceedings|workshop|symposium)\b",
    re.I)


def is_group_author(name: str) -> bool:
    """Whether an author-list entry names a group rather than a person ("The
    Paradise Team", "CORPORATE Fox Development Team", "Group, ASCUS LSIL
    Triage Study"), or a publication, heading or affiliation that web
    scrapers put in the author list ("ACM SIGMOD Anthology", "P Edition",
    "GC Introduction", "CP UniversityofMaryland"): its family-name key says
    nothing about who wrote a work."""
    return _GROUP_AUTHOR_RE.search(name) is not None or _NOT_A_PERSON_RE.search(name) is not None


_DBLP_HOMONYM_RE = re.compile(r"\s+\d{4}$")
# Web-scraped author lists (Google Scholar) that lost the space between the
# initials and the family name: "WO'Connell", "JBrown" (not "McDonald",
# "DeWitt": a capital after a lower-case letter is part of a name).
_ELIDED = ("O", "D", "L")  # "OConnor", "DAngelo": an elided particle, not an initial
_GLUED_INITIAL_RE = re.compile(r"^([A-Z]{1,2})([A-Z](?:'[A-Z])?[a-z]{2,}(?:-[A-Z][a-z]+)?)$")


@lru_cache(maxsize=1 << 17)
def parse_author(name: str) -> Author:
    """Parse one personal name into an :class:`Author` with matching key."""
    disp = clean_text(name)
    # DBLP tells homonyms apart with a number: "Jian Sun 0001".
    disp = _DBLP_HOMONYM_RE.sub("", disp)
    n = _ETAL_RE.sub("", disp).strip(" ,;")
    if not n:
        return Author(disp, "", "", "")
    if "," in n:
        pieces = [p.strip() for p in n.split(",") if p.strip()]
        parts = [p for k, p in enumerate(pieces)
                 if not _is_suffix(p) or (k == 1 and _is_caps_initials(p))]
        if len(parts) >= 2:
            return _make_author(disp, parts[0], " ".join(parts[1:]))
        n = parts[0] if parts else n.replace(",", " ").strip()
    toks = n.split()
    while len(toks) > 1 and _is_suffix(toks[-1]) and not (
            len(toks) == 2 and _is_caps_initials(toks[-1]) and not toks[0].isupper()):
        toks.pop()
    if len(toks) == 1:
        glued = _GLUED_INITIAL_RE.match(toks[0])
        if glued and glued.group(1) not in _ELIDED:  # "WO'Connell": W. O'Connell
            return _make_author(disp, glued.group(2), glued.group(1))
        return _make_author(disp, toks[0], "")
    if not _is_initials(toks[0]):
        # "Family G. H." / "Family GH": trailing run of initials after words
        i = len(toks)
        while i > 1 and _is_initials(toks[i - 1]):
            i -= 1
        if i < len(toks):
            return _make_author(disp, " ".join(toks[:i]), " ".join(toks[i:]))
    # "Given [particle...] Family": a particle (any case, "Del", "St.") starts the
    # family name, as in "Del Maestro, A." ("Adrian Del Maestro").
    j = next((k for k in range(1, len(toks) - 1) if _is_particle(toks[k])), len(toks) - 1)
    return _make_author(disp, " ".join(toks[j:]), " ".join(toks[:j]))


def organization_author(name: str) -> Author:
    """A group or institution as an author, kept whole (not split into a
    family and given name); its key is its folded words."""
    disp = clean_text(name)
    return Author(name=disp, family=disp, given="", key=normalize_title(disp),
                  organization=True)


@lru_cache(maxsize=1 << 17)  # the same people recur across records and sources
def author_from_parts(family: str | None, given: str | None, name: str | None = None) -> Author:
    """Author from structured family/given parts (CSL, Crossref)."""
    fam = clean_text(family)
    giv = clean_text(given)
    if not fam:
        return parse_author(name or giv)
    disp = clean_text(name) or f"{giv} {fam}".strip()
    return _make_author(disp, fam, giv)


_DASH_RE = re.compile(r"\s*(?:--+|[\u2010-\u2015\u2212\ufe58\ufe63\uff0d])\s*")
_PAGES_PREFIX_RE = re.compile(r"^(?:pages?|pp?)\.?\s*", re.I)
_RANGE_RE = re.compile(r"([A-Za-z]*)([0-9]+)-([A-Za-z]*)([0-9]+)")


def normalize_pages(s: str | None) -> str:
    """Canonical page range ``"139-154"``; expands abbreviated end pages."""
    t = clean_text(s)
    if not t:
        return ""
    t = _DASH_RE.sub("-", t)
    t = _PAGES_PREFIX_RE.sub("", t)
    t = "".join(t.split()).strip(".,;-")
    m = _RANGE_RE.fullmatch(t)
    if m:
        p1, a, p2, b = m.groups()
        if p2 in ("", p1) and len(b) < len(a):
            full = a[: len(a) - len(b)] + b
            if int(full) >= int(a):
                b = full
        if p2 in ("", p1) and a == b:
            return p1 + a
        return f"{p1}{a}-{p1 if p2 == '' and p1 else p2}{b}"
    return t


def first_page(pages: str) -> str:
    """First page of a normalized range."""
    return pages.split("-", 1)[0] if pages else ""


_YEAR_RE = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")


def normalize_year(s: object) -> int | None:
    """Year in 1000..2100 from an int, float, date or free text, else None."""
    if s is None or isinstance(s, bool):
        return None
    if isinstance(s, (list, tuple)):
        return normalize_year(s[0]) if s else None
    if isinstance(s, float):
        s = int(s) if s.is_integer() else None
    if isinstance(s, int):
        return s if 1000 <= s <= 2100 else None
    for m in _YEAR_RE.finditer(str(s)):
        y = int(m.group(1))
        if 1000 <= y <= 2100:
            return y
    return None


_VENUE_STOP = frozenset(
    "proceedings proc of the in on and for at a an international intl int conference conf "
    "journal j annual ann".split()
)
_ORDINAL_RE = re.compile(r"^(?:[0-9]+(?:st|nd|rd|th)|(?:19|20)[0-9]{2})$")


def normalize_venue(s: str | None) -> str:
    """Loose venue key for fuzzy comparison (stopwords, ordinals, years dropped)."""
    toks = _NON_ALNUM_RE.sub(" ", fold(clean_text(s)).replace("'", "")).split()
    return " ".join(t for t in toks if t not in _VENUE_STOP and not _ORDINAL_RE.match(t))
