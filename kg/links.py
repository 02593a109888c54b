"""Links out: the standard IRIs of the same work or version elsewhere.

A version links to what names that one publication: ``https://doi.org/DOI``
for its DOI, ``https://arxiv.org/abs/ID[vN]`` for its arXiv id (with the
version number when the version names one), and PubMed's
``https://pubmed.ncbi.nlm.nih.gov/PMID/`` and PMC's
``https://www.ncbi.nlm.nih.gov/pmc/articles/PMCID/`` for a published or PubMed
version whose records carry them.  A work links to what names the work across
its versions: its records' OpenAlex works (``https://openalex.org/W...``, which
group a preprint with its journal version as kg-resolve does) and Wikidata
items (``http://www.wikidata.org/entity/Q...``).

The property is ``schema:sameAs`` (see ``ontology/README.md``): it names the
same thing without OWL's identity semantics, so a reasoner does not pour
another service's description (with its own errors) into ours; ``owl:sameAs``
stays between the records of one version.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from resolve.types import Record, Version

_ARXIV = re.compile(r"[a-z.-]*/?\d{4,7}(\.\d{4,5})?", re.IGNORECASE)
_PMID, _PMCID = re.compile(r"\d{1,9}"), re.compile(r"PMC\d{1,9}", re.IGNORECASE)
_OPENALEX, _WIKIDATA = re.compile(r"W\d{1,12}"), re.compile(r"Q\d{1,12}")


def doi_iri(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def version_links(version: Version, records: Sequence[Record]) -> list[str]:
    """The standard IRIs of one version (sorted, each once)."""
    out = set()
    for scheme, value in version.identifiers:
        if scheme == "doi":
            out.add(doi_iri(value))
        elif scheme == "arxiv" and _ARXIV.fullmatch(value):
            number = f"v{version.arxiv_version}" if version.arxiv_version else ""
            out.add(f"https://arxiv.org/abs/{value}{number}")
    if version.basis in ("doi", "pubmed"):  # PubMed indexes published versions
        for i in version.members:
            for scheme, value in records[i].identifiers:
                if scheme == "pmid" and _PMID.fullmatch(value):
                    out.add(f"https://pubmed.ncbi.nlm.nih.gov/{value}/")
                elif scheme == "pmcid" and _PMCID.fullmatch(value):
                    out.add(f"https://www.ncbi.nlm.nih.gov/pmc/articles/{value.upper()}/")
    return sorted(out)


def work_links(members: Sequence[int], records: Sequence[Record]) -> list[str]:
    """The standard IRIs of a work made of ``members`` (sorted, each once)."""
    out = set()
    for i in members:
        for scheme, value in records[i].identifiers:
            if scheme == "openalex" and _OPENALEX.fullmatch(value):
                out.add(f"https://openalex.org/{value}")
            elif scheme == "wikidata" and _WIKIDATA.fullmatch(value):
                out.add(f"http://www.wikidata.org/entity/{value}")
    return sorted(out)
