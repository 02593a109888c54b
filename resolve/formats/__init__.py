"""Every input format kg-resolve reads, and how a file's format is recognized.

Each format is a :class:`~resolve.formats.base.Format`: a name (for
``--format``), how it is detected, which identifiers it keeps, and a pure
parser ``text -> Entry | Problem`` (see :mod:`resolve.formats.base`).
:data:`FORMATS` lists them; :func:`detect` recognizes a file from the first
part of its text and its name.  ``kg sources`` prints this registry.
"""

from __future__ import annotations

from . import (
    arxiv,
    bibtex,
    core,
    crossref,
    csljson,
    dblp,
    endnote,
    medline,
    openalex,
    paperswithcode,
    records,
    ris,
    scholar_archive,
    semanticscholar,
    unpaywall,
    wos,
)
from .base import BadRecord, Entry, Format, FormatError, Item, Notice, Problem
from .detect import EXTENSIONS, detect, sniff

FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("jsonl", "kg-resolve records (JSON Lines or a JSON list)", "records",
           (".jsonl", ".ndjson", ".json"),
           "JSON whose objects match no service below; extension .jsonl/.ndjson",
           "id, doi, arxiv, pmid, pmcid, isbn, issn, urls, identifiers{scheme: value}",
           records.parse_jsonl),
    Format("csv", "CSV or TSV with a header row (also IEEE Xplore, SpringerLink, Scopus, "
           "PubMed, Zotero exports)", "records", (".csv", ".tsv"),
           "extension .csv/.tsv; or a header line with a title column",
           "id/key/EID column (else PMID, else a content id), doi, arxiv/eprint, pmid, pmcid, "
           "isbn, issn, url, EID (scopus), ids in Zotero's Extra",
           records.parse_csv),
    Format("bibtex", "BibTeX / BibLaTeX", "reference", (".bib", ".bibtex"),
           "first line (after % comments) starts with @type{ or @type(",
           "citation key, DBLP: keys and dblp biburl (dblp), doi, url, eprint/arxivid, "
           "isbn, issn, pmid, pmcid", bibtex.parse),
    Format("ris", "RIS (Zotero, EndNote, Mendeley, Web of Science, Scopus...)", "reference",
           (".ris",), "first line is TY  - ... (after export header lines: Provider: ...)",
           "ID (else a content id), DO, UR/L1/L2 (also several to a line), SN, AN (WOS:, "
           "PubMed, Scopus), PMID/PMCID lines, PMID/PMCID/arXiv in notes and U1-U5 "
           "(123[pmid])", ris.parse),
    Format("medline", "PubMed/MEDLINE tagged text (.nbib)", "reference",
           (".nbib", ".txt"), "first line is PMID- ...",
           "PMID (record id), PMC (pmcid), AID/LID [doi] DOIs, IS ISSNs, ISBN",
           medline.parse),
    Format("wos", "Web of Science plain text export", "reference", (".txt",),
           "first line FN ...; or PT ... with an ER line",
           "UT (record id; WOS: as wos), DI/D2 DOIs, PM (pmid), SN/EI ISSNs, BN ISBN",
           wos.parse),
    Format("endnote-xml", "EndNote XML export", "reference", (".xml",),
           "XML root <xml> or <records>; extension .xml",
           "rec-number (else record-N), electronic-resource-num (DOI), urls, isbn, "
           "accession-num (WOS:, PubMed)", endnote.parse),
    Format("csl-json", "CSL-JSON (Zotero, Mendeley, pandoc)", "reference", (".json",),
           "JSON items with issued, container-title, DOI or URL keys",
           "id (else item-N), DOI, URL, ISSN, ISBN, PMID, PMCID, arXiv in number/note",
           csljson.parse),
    Format("openalex", "OpenAlex works", "native", (".json", ".jsonl"),
           'JSON with "https://openalex.org/W..." ids or authorships',
           "W-id (openalex), doi, mag, pmid, pmcid, location URLs, ISSNs",
           openalex.parse, "openalex"),
    Format("crossref", "Crossref REST API works", "native", (".json", ".jsonl"),
           'JSON with "message-type", or DOI with indexed/member/reference-count',
           "DOI, alternative-id (DOIs; others as publisher-id), is-identical-to DOIs, "
           "ISSN, ISBN, URL, resource and link URLs", crossref.parse, "crossref"),
    Format("arxiv", "arXiv API Atom feed, or arXiv metadata snapshot JSON", "native",
           (".atom", ".xml"), "XML root <feed> (Atom); JSON with authors_parsed/versions",
           "arXiv id with version, arxiv:doi DOIs, abs/pdf/doi links", arxiv.parse, "arxiv"),
    Format("semanticscholar", "Semantic Scholar Graph API papers", "native",
           (".json", ".jsonl"), "JSON with paperId or externalIds",
           "paperId (s2), CorpusId (corpusid), DOI, ArXiv, MAG (mag), DBLP (dblp), ACL (acl), "
           "PubMed, PubMedCentral, url, openAccessPdf", semanticscholar.parse,
           "semanticscholar"),
    Format("scholar-archive", "scholar.archive.org search results", "native",
           (".json", ".jsonl"), "JSON with count_found, work_ident or release_ident",
           "key, work_ident (fatcat-work), release idents (fatcat-release); the primary "
           "release's doi, arxiv_id, pmid, pmcid, isbn13, wikidata, jstor, doaj, dblp, oai; "
           "access URLs",
           scholar_archive.parse, "scholar-archive"),
    Format("core", "CORE API v3 works", "native", (".json", ".jsonl"),
           "JSON with totalHits, dataProviders, arxivId, yearPublished, downloadUrl or oaiIds",
           "CORE id (core), doi, arxivId, pubmedId, magId (mag), oaiIds (oai), identifiers, "
           "outputs (core-output), downloadUrl, links", core.parse, "core"),
    Format("unpaywall", "Unpaywall DOI objects", "native", (".json", ".jsonl"),
           "JSON with oa_locations, best_oa_location or z_authors",
           "DOI, doi_url, OA location URLs, pmh_id (oai), journal ISSNs",
           unpaywall.parse, "unpaywall"),
    Format("dblp", "dblp search API (JSON or XML) and record XML", "native",
           (".json", ".xml"), 'JSON {"result": {"hits": ...}}; XML root <result> or <dblp>',
           "key (dblp), doi, ee URLs, dblp record url", dblp.parse, "dblp"),
    Format("paperswithcode", "Papers with Code papers", "native", (".json", ".jsonl"),
           "JSON with url_abs or paper_url",
           "id (pwc), arxiv_id, nips_id (nips), paper, abstract, PDF and conference URLs",
           paperswithcode.parse, "paperswithcode"),
)}

__all__ = ["EXTENSIONS", "FORMATS", "BadRecord", "Entry", "Format", "FormatError", "Item",
           "Notice", "Problem", "detect", "sniff"]
