"""Synthetic scholarly records with gold clusters, for the scale benchmark.

    python benchmarks/synthetic.py --records 100000 --seed 1 --out /tmp/synth-100k
    kg build /tmp/synth-100k/*.jsonl --store /tmp/synth-store
    kg evaluate /tmp/synth-100k/gold.csv --store /tmp/synth-store
    python benchmarks/synthetic.py citations --works 2000 --seed 1 --out /tmp/citations

writes one JSON Lines file per source in kg-resolve's own record shape
(``arxiv``, ``crossref``, ``openalex``, ``dblp``, ``semanticscholar``,
``core``, ``scholar-archive``, ``pubmed``, ``library``: a reference-manager
or database export like the systematic-review sets) and ``gold.csv``
(``source,record_id,cluster``; a cluster is a work).  As a module,
:func:`generate` yields ``(source, record, cluster)`` lazily and
:func:`write_dataset` writes the files.  Output is a pure function of
``(records, seed)``: the same bytes every run.  Memory does not grow with the
size: works are made one at a time and each source file is shuffled through
bucket files of at most ~20,000 lines (a random bucket per line, then each
bucket shuffled: a uniform permutation).

**What a work looks like.**  A domain (CS, biomedicine, physics, social
science) picks the vocabulary, the venues and which sources carry the work.
Title words come from a Zipf-weighted head of real title words per domain and,
for a quarter of the words, from an open-ended tail of made-up terms (gene
symbols, drug, model and place names, formulas) whose ranks follow a power
law, so that the vocabulary keeps growing with the data as real title
vocabularies do (about 34,000 distinct title words in 100,000 records, 57%
of them used once; the 40,000-title depression set has 29,000 and 48%).
Authors: 1.5 people per record in the pool (so most people appear in a few
records, a few in many: a skew towards prolific authors and recurring
co-author groups), a log-normal number per work (single-author papers ~10% in
CS, ~4% in biomedicine, ~30% in social science), names from several naming
cultures with accents, particles ("van der", "De"), hyphenated given names and
the common Chinese and Korean family names (homonyms: "wang y" is about 0.2% of
first authors), plus an open-ended tail of made-up family names.  Venues are
journals (full name, ISO-4 abbreviation, dblp's dotted abbreviation, ISSN) and
conferences (full name and acronym), each with a publisher's DOI style.  An
ordinary work has 1 to 6 records: 40% singletons, then 27%, 17%, 10%, 5%, 1%,
the sources drawn by the domain's coverage (dblp only for CS, PubMed only for
biomedicine).  Many CS and physics works have an arXiv preprint: the arXiv
record (id with version, sometimes the 10.48550 DataCite DOI) and the
publisher's record (publisher DOI) are one work; OpenAlex sometimes holds both
as separate records, dblp sometimes holds the CoRR entry too, Semantic Scholar
carries both ids and the dblp key, and scholar.archive.org holds archived
copies of the arXiv PDF or of the publisher's landing page (same URL).  The
preprint is dated the year of publication or up to two years before, and 15%
of journal versions changed the preprint's title (a subtitle added or dropped,
the case, or one word).

**How records of one work differ** (rates per source, set from the shared
data in ``../shared/data``: in the systematic-review sets about 85-95% of
duplicate pairs have equal titles up to case and punctuation, the rest mostly
differ by a character or markup; venues differ in 30-75% of pairs, by
abbreviation; pages in most pairs, ``139-54`` vs ``139-154``; DOIs are missing
on one side in 10-50%; years differ in under 1% there, more across services:
online vs print).  Titles: a typo (0.5-6%, most in PDF-harvested sources),
UPPER CASE (scholar.archive.org, CORE), Title Case, sentence case, a trailing
full stop (dblp, PubMed), subtitle dropped (mostly Crossref, which keeps it in
a separate field), HTML markup (``<i>E. coli</i>``, ``CO<sub>2</sub>``) and
Greek letters spelled out, as symbols or lost (``TNF-alpha``, ``TNF-α``),
line breaks (arXiv), ligatures from PDFs, "Part 2" for "Part II", and for
non-English papers (4% in biomedicine and social science) the bracketed
translation (``[Title].`` in PubMed, ``Title. [German]`` in exports) or the
original-language title (Crossref, OpenAlex).  Authors: full given names,
initials, PubMed ``Family AB``, run-together export strings (``Przyklenk
K.Kloner R. A.``), ``Family, Given`` joined with ``and``, Crossref given/family
objects; middle initials dropped, accents stripped, mojibake (``Müller`` as
``MÃ¼ller``), HTML entities (``Lud&#228;scher``), lists truncated with "et
al.", dblp homonym numbers (``Wei Wang 0003``), rarely a given/family swap or
two authors swapped.  Venues full, abbreviated or missing; pages full,
abbreviated, en dash or missing; the year a year early (online first, 10% of
journal articles) in the sources that give the online date, CORE sometimes the
deposit year; DOIs in several spellings or missing; abstracts on some records
(JATS markup in Crossref).

**Hard negatives** (separate works in the gold): errata and corrections
("Erratum: <title>", "Correction to: <title>") with the paper's authors and
venue; comments on a paper and the authors' reply; series ("... Part I" /
"Part II" / "Part III") with the same authors and venue, in the same or the
next year; follow-up papers by the same authors with one title word changed,
one to four years apart; and short generic titles ("Editorial", "Preface",
"Book reviews") in many venues and years, often by the venue's same editor.

**Calibration, not flattery.**  Every variant is one a careful human would
still match from the records alone, and every hard negative differs in
something such a human would use: a part number, the erratum prefix, a word
and the year, or for generic titles the venue, year, issue, pages or DOI.
What the data does to kg-resolve was looked at only to find unrealistic
choices, which were changed: a too small author pool (0.9 people per record,
so that everyone appeared in many records), too many single-author papers and
a closed vocabulary of 6,000 made-up words per domain (words that are rare at
10,000 records were common at 1,000,000).  Left as they are, because real
harvests have them: works with 4-6 records, preprint/journal pairs with no
shared identifier, records with no DOI, the online-vs-print year, OpenAlex and
dblp holding a preprint and its journal version as two records.

Limits: ids and DOIs are unique by construction up to ~10 million works.
Record ids look native (arXiv ids, DOIs, OpenAlex W-ids, dblp keys with a
made-up disambiguation suffix, 40-hex S2 ids, PMIDs, CORE numbers, fatcat-like
release ids, 8-character reference-manager keys); every file is our own JSON
Lines shape, not the services' native payloads.

**Citation mode** (``citations``; :func:`citation_records`, :func:`write_citations`):
reference-list citations parsed into fields, one source, ``citations.jsonl`` and
``gold.csv``; what they look like is described where that section of the module begins.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import functools
import json
import math
import random
import shutil
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

SOURCES = ("arxiv", "crossref", "openalex", "dblp", "semanticscholar", "core",
           "scholar-archive", "pubmed", "library")
DOMAINS = ("cs", "biomed", "physics", "social")
DOMAIN_WEIGHTS = (0.35, 0.40, 0.12, 0.13)
# Records per work: 1..6.
SIZE_WEIGHTS = (0.40, 0.27, 0.17, 0.10, 0.05, 0.01)
# How likely each source is to hold a work of a domain (drawn without replacement).
COVERAGE = {
    "cs": {"crossref": 6, "openalex": 7, "dblp": 6, "semanticscholar": 5, "arxiv": 5,
           "core": 2, "scholar-archive": 2, "library": 1.5},
    "biomed": {"crossref": 7, "openalex": 6, "pubmed": 7, "semanticscholar": 3, "core": 2,
               "scholar-archive": 1, "library": 4},
    "physics": {"arxiv": 8, "crossref": 6, "openalex": 6, "semanticscholar": 4, "core": 2,
                "scholar-archive": 2, "library": 1},
    "social": {"crossref": 7, "openalex": 7, "semanticscholar": 4, "core": 3,
               "scholar-archive": 1, "library": 3},
}
# Authors per work: median and log-normal spread.
AUTHORS_PER_WORK = {"cs": (3.3, 0.65), "biomed": (5.5, 0.75), "physics": (4.0, 0.8),
                    "social": (2.0, 0.6)}
PREPRINT_SHARE = {"cs": 0.45, "biomed": 0.03, "physics": 0.7, "social": 0.08}
PREPRINT_ONLY = 0.25  # of works with a preprint: never published elsewhere
# Hard-negative groups per group drawn (the rest are ordinary works).
GROUP_KINDS = (("erratum", 0.010), ("series", 0.006), ("followup", 0.010),
               ("comment", 0.003), ("generic", 0.015))
_GROUPS = (*(k for k, _ in GROUP_KINDS), "work")
_GROUP_CUM = list(accumulate(p for _, p in GROUP_KINDS))
SHUFFLE_BUCKET = 20_000
# A title word is a made-up term with this probability, its rank drawn from an
# open-ended power law (a shifted Pareto): the vocabulary keeps growing with the
# data as real title vocabularies do (Heaps' law; ~25,000 terms in 100,000 records,
# about 60% of them used once).
TAIL_SHARE = 0.25
_TAIL_SCALE, _TAIL_ALPHA = 2000, 0.8
_LOG_SURNAMES = math.log(500_000)
_U_MOD = 10_000_000  # unique 7-digit number per work (DOIs)

# --- vocabularies (fixed: the same for every seed) ---------------------------

_COMMON = """analysis study effect effects model models based using learning method methods
approach data system systems evaluation new novel role impact risk development estimation
detection prediction optimization framework application applications structure dynamics theory
assessment management quality factors response multiple efficient robust distributed time
performance control design adaptive comparison measurement simulation characterization
identification improved towards large scale high low dependent mechanisms evidence review
changes function functional properties process processes analysis using modeling patterns
early long term case implications novel integrated general local global dynamic stability
structural spatial temporal mechanism potential toward understanding role regulation""".split()
_DOMAIN_WORDS = {
    "cs": """neural networks network deep graph reinforcement transformer convolutional semantic
retrieval query queries database databases index indexing parallel scheduling compiler
verification cryptographic protocol wireless sensor cloud edge federated privacy adversarial
generative embedding embeddings language vision segmentation classification clustering
recommendation algorithm algorithms software program programs memory cache distributed
consensus blockchain attention representation representations supervised unsupervised
self-supervised contrastive inference probabilistic bayesian kernel sparse matrix tensor
code search ranking web mobile energy-efficient hardware fpga gpu virtual machine machines
object detection tracking image images video speech text knowledge reasoning logic
automata complexity approximation online streaming privacy-preserving security attacks
transfer multi-task few-shot zero-shot pretrained fine-tuning benchmark dataset agents
multi-agent planning robot robots navigation localization mapping point cloud 3d""".split(),
    "biomed": """myocardial ischemic preconditioning infarction cardiac receptor receptors
expression protein kinase inhibitor inhibition mice rats rat mouse cells cell tumor cancer
depression anxiety antidepressant serotonin dopamine hippocampal cortical neurons
chronic acute therapy
randomized trial cohort patients women children adults elderly treatment clinical outcomes
mortality incidence prevalence diabetes obesity insulin glucose inflammation inflammatory
oxidative stress mitochondrial apoptosis signaling pathway gene genes genetic polymorphism
association risk factors disease diseases syndrome injury reperfusion heart blood pressure
hypertension stroke brain cognitive imaging magnetic resonance tomography screening cervical
cytology infection infections bacterial viral vaccine antibody immune response hepatic renal
liver kidney lung pulmonary surgery surgical postoperative dose drug pharmacokinetics
plasma serum levels biomarkers prognosis diagnosis diagnostic sensitivity specificity
behavior behavioural stress-induced knockout transgenic vitro vivo human primary secondary
prevention intervention care hospital health quality-of-life meta-analysis systematic""".split(),
    "physics": """quantum spin magnetic topological superconducting superconductivity lattice
phase transition transitions dark matter energy gravitational waves cosmological neutrino
neutrinos plasma photonic laser thermal electron electrons electronic states state field
fields theory gauge symmetry breaking scattering cross section decay decays mass masses
black hole holes galaxy galaxies stars star formation emission spectroscopy measurement
measurements detector collider higgs boson bosons fermions entanglement qubit qubits
coherence optical nonlinear waveguide crystal crystals thin films graphene semiconductor
magnetization ferromagnetic antiferromagnetic transport conductivity correlation
correlations excitations ground turbulence fluid flow instability nuclear particle
particles relativistic cosmology inflation universe background radiation""".split(),
    "social": """economic policy social political education students school schools labor market
firms income inequality urban governance gender migration migrants trade growth
employment wages household households consumption investment financial banks credit
monetary fiscal public private institutions democracy elections voting conflict
violence crime health insurance welfare poverty development countries rural land
housing family families children women youth identity culture cultural media
networks trust participation organizations innovation productivity entrepreneurship
evidence survey experiment field panel regional local national""".split(),
}
_OPENERS = ("", "", "", "", "", "", "the ", "a ", "towards ", "on the ", "effects of ",
            "role of ", "analysis of ", "evaluation of ", "a study of ")
_CONNECTORS = ("of", "of", "in", "in", "for", "for", "and", "with", "on", "using", "via",
               "from", "during", "after", "among", "versus", "based on", "in the", "by")
_SUBTITLES = ("a randomized controlled trial", "a systematic review and meta-analysis",
              "a case report", "a cohort study", "a pilot study", "a review", "a survey",
              "a new approach", "a comparative study", "theory and experiment",
              "an experimental study", "preliminary report", "a multicenter study",
              "results from a prospective study", "an empirical study", "lessons learned")
_SMALL = frozenset("a an the of in on for and to with by at from via or versus vs".split())
# Terms written several ways: (plain, variants a source may use).
SPECIAL = (
    ("TNF-alpha", ("TNF-α", "TNF-alpha", "TNFalpha", "TNF-α")),
    ("17beta-estradiol", ("17β-estradiol", "17 beta-estradiol", "17beta-estradiol")),
    ("PKC-epsilon", ("PKC-ε", "PKC-epsilon", "PKCepsilon")),
    ("kappa-opioid", ("κ-opioid", "kappa-opioid", "kappa opioid")),
    ("5-HT1A", ("5-HT<sub>1A</sub>", "5-HT(1A)", "5-HT1A")),
    ("CO2", ("CO<sub>2</sub>", "CO2", "CO<sub>2</sub>")),
    ("Escherichia coli", ("<i>Escherichia coli</i>", "Escherichia coli", "E. coli")),
    ("Drosophila", ("<i>Drosophila</i>", "Drosophila", "<i>Drosophila</i>")),
    ("in vivo", ("<i>in vivo</i>", "in vivo", "in-vivo")),
    ("Ca2+", ("Ca<sup>2+</sup>", "Ca2+", "Ca 2+")),
    ("beta-cells", ("β-cells", "beta-cells", "beta cells")),
)
_LANGS = ("German", "French", "Japanese", "Chinese", "Spanish", "Russian", "Italian", "Polish")
_FOREIGN = {"German": ("ung", "keit", "lichen", "ische", "en"),
            "French": ("tion", "ique", "eux", "ées"),
            "Japanese": ("ka", "no", "ni", "sei"), "Chinese": ("xing", "zhi", "liao", "bing"),
            "Spanish": ("ción", "ía", "ico", "os"), "Russian": ("ost", "nye", "ogo", "ii"),
            "Italian": ("zione", "ico", "ità", "ale"), "Polish": ("ość", "owy", "anie", "ych")}

# Naming cultures: (weight, family names by frequency, given names).
_CULTURES = (
    (30, """Smith Johnson Brown Williams Jones Miller Davis Wilson Taylor Anderson Thomas Moore
Martin Jackson White Harris Clark Lewis Walker Hall Young Allen King Wright Scott Green Baker
Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards
Stewart Morris Murphy Cook Rogers Morgan Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson
Wood Watson Brooks Bennett Gray James Hughes Price Myers Long Ross Foster O'Brien McHale""",
     """James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia
Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Daniel Matthew Anthony
Mark Paul Steven Andrew Kenneth Joshua Kevin Brian George Emily Laura Rachel Amanda Peter Alan
Scott Helen Anne Claire Simon Ian Graham Neil Fiona"""),
    (16, """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao
Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du""",
     """Wei Jun Jing Hui Yu Xiaoming Yan Ming Lei Jie Tao Hong Ying Li Ping Bo Xin Yang Qiang
Ming-Wei Jun-Mei Xiangyu Shaoqing Kaiming Zhi-Hua Xiao-Li Yi Hao Chao Lin Na Fang Rui Zhen"""),
    (6, """Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin""",
     """Min-jun Seo-yeon Ji-hoon Hyun-woo Soo-jin Jae-hyun Young-ho Eun-ji Dong-hyun Ji-won"""),
    (6, """Tanaka Suzuki Sato Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida
Yamada Sasaki Matsumoto Inoue Kimura Hayashi Shimizu""",
     """Hiroshi Takashi Kenji Yuki Akira Satoshi Naoko Yoko Kazuo Masato Haruka Daisuke Takeshi"""),
    (5, """Kumar Singh Sharma Patel Gupta Reddy Rao Iyer Das Nair Mehta Joshi Verma Banerjee""",
     """Rahul Amit Priya Anil Sunil Deepak Ravi Anjali Sanjay Vijay Arjun Kavita Suresh Neha"""),
    (9, """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann
Lange Werner Krause Lehmann Köhler Weiß Groß Böhm Jäger Günther""",
     """Jürgen Klaus Stefan Andreas Thomas Michael Wolfgang Uwe Jörg Sabine Petra Katrin Jörn
Björn Günter Matthias Ulrike Hans-Peter Karl-Heinz Dieter Anja Sören"""),
    (7, """García Martínez Rodríguez López Hernández González Pérez Sánchez Ramírez Torres Flores
Rivera Gómez Díaz Reyes Morales Jiménez Álvarez Romero Ruiz Núñez Peña Gonçalves Silva Santos
Oliveira Souza Costa Ferreira""",
     """José María Juan Carlos Luis Ana Javier Miguel Ángel Lucía Andrés Mónica Inés Sofía
João Tomás Raúl Begoña Íñigo Marta Pablo Sergio"""),
    (5, """Dubois Lefèvre Bernard Moreau Laurent Fournier Girard Bonnet Rousseau Blanc Guérin
Mercier Boyer Chevalier François Lemaître""",
     """Jean Pierre François Stéphane Sébastien Jérôme Hélène Renée Céline Amélie Benoît
Frédéric Gaëlle Noël Zoë Loïc"""),
    (5, """Novák Dvořák Šimko Šuppa Kovács Nagy Horváth Wójcik Kowalski Łukasiewicz Nowak
Černý Procházka Kučera Grivalský Konôpka Szabó Tóth Zieliński Dąbrowski""",
     """Jiří Marián Štefan Matúš Łukasz Paweł Tomáš Zdeněk Miroslav Katarína Agnieszka
Wojciech Krzysztof Péter László Zsófia Ondřej Lenka"""),
    (4, """Andersson Johansson Karlsson Nilsson Jørgensen Kjær Østergaard Søndergaard Åström
Björk Lindqvist Hansen Nielsen Virtanen Mäkinen""",
     """Lars Anders Søren Björn Åsa Kjell Ingrid Sigrid Mikael Jukka Päivi Øystein Ólafur"""),
    (3, """Yılmaz Kaya Demir Şahin Çelik Öztürk Aydın Özdemir Arslan Doğan""",
     """Mehmet Ahmet Ayşe Fatma Gökhan İlker Çağla Emre Özge Burak"""),
    (3, """van der Berg|de Vries|van Dijk|Bakker|Janssen|Visser|de Lorgeril|De Luca|di Stefano|
van den Heuvel|Dos Santos|de Almeida|Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Ricci""",
     """Jan Pieter Willem Sanne Marco Giuseppe Francesca Giulia Alessandro Luca Chiara Matteo"""),
)
# Syllables for the made-up tail of names and terms.
_SYL = ("ka ri to na mo le su vi ra de lo mi ta no ko sa ve li da ru po ne zi go ba "
        "ter ran dor mel vin sol kar bel mar tis gan lor fen hal").split()

_ABBR = {  # ISO 4 word abbreviations used in venue names
    "Journal": "J", "International": "Int", "American": "Am", "European": "Eur",
    "British": "Br", "Scandinavian": "Scand", "Canadian": "Can", "Australian": "Aust",
    "Chinese": "Chin", "Japanese": "Jpn", "Nordic": "Nord", "Brazilian": "Braz",
    "Annals": "Ann", "Advances": "Adv", "Research": "Res", "Letters": "Lett", "Clinical": "Clin",
    "Experimental": "Exp", "Frontiers": "Front", "Reviews": "Rev", "Transactions": "Trans",
    "Progress": "Prog", "Proceedings": "Proc", "Conference": "Conf", "Symposium": "Symp",
}
_FIELDS = {
    "cs": """Computer Science=Comput Sci|Artificial Intelligence=Artif Intell|Machine Learning=Mach
Learn|Information Systems=Inf Syst|Software Engineering=Softw Eng|Computer Vision=Comput Vis|
Pattern Analysis and Machine Intelligence=Pattern Anal Mach Intell|Knowledge and Data
Engineering=Knowl Data Eng|Parallel and Distributed Systems=Parallel Distrib Syst|
Computational Linguistics=Comput Linguist|Database Systems=Database Syst|Pattern
Recognition=Pattern Recognit|Neural Networks=Neural Netw|Robotics=Robot|Algorithms=Algorithms|
Information Retrieval=Inf Retr|Cryptology=Cryptol|Computer Graphics=Comput Graph|
Networking=Netw|Information Theory=Inf Theory|Signal Processing=Signal Process|Image
Processing=Image Process|Computing=Comput|Programming Languages=Program Lang|Data
Mining=Data Min|Theoretical Computer Science=Theor Comput Sci|Evolutionary Computation=Evol
Comput|Automated Reasoning=Autom Reason|Web Engineering=Web Eng|Mobile Computing=Mob Comput""",
    "biomed": """Cardiology=Cardiol|Molecular and Cellular Cardiology=Mol Cell Cardiol|Biological
Chemistry=Biol Chem|Pharmacology=Pharmacol|Physiology=Physiol|Neuroscience=Neurosci|
Psychiatry=Psychiatry|Clinical Investigation=Clin Invest|Medicine=Med|Immunology=Immunol|
Oncology=Oncol|Endocrinology=Endocrinol|Hematology=Hematol|Neurology=Neurol|Pediatrics=Pediatr|
Surgery=Surg|Epidemiology=Epidemiol|Public Health=Public Health|Microbiology=Microbiol|
Genetics=Genet|Nutrition=Nutr|Psychopharmacology=Psychopharmacol|Affective
Disorders=Affect Disord|Pathology=Pathol|Radiology=Radiol|Cytology=Cytol|Magnetic Resonance
in Medicine=Magn Reson Med|Biochemistry=Biochem|Cell Biology=Cell Biol|Molecular
Medicine=Mol Med|Gerontology=Gerontol|Anesthesiology=Anesthesiol|Psychology=Psychol|
Cardiovascular Research=Cardiovasc Res|Heart and Circulatory Physiology=Heart Circ Physiol|
Nursing=Nurs|Dermatology=Dermatol|Ophthalmology=Ophthalmol|Nephrology=Nephrol|
Gastroenterology=Gastroenterol|Rheumatology=Rheumatol|Virology=Virol|Toxicology=Toxicol""",
    "physics": """Physics=Phys|Applied Physics=Appl Phys|Chemical Physics=Chem Phys|Condensed
Matter=Condens Matter|High Energy Physics=High Energy Phys|Astrophysics=Astrophys|
Mathematical Physics=Math Phys|Optics=Opt|Nuclear Physics=Nucl Phys|Plasma Physics=Plasma Phys|
Statistical Mechanics=Stat Mech|Quantum Information=Quantum Inf|Materials Science=Mater Sci|
Cosmology and Astroparticle Physics=Cosmol Astropart Phys|Fluid Mechanics=Fluid Mech|Low
Temperature Physics=Low Temp Phys|Physical Chemistry=Phys Chem|Geophysics=Geophys|
Acoustics=Acoust|Photonics=Photonics""",
    "social": """Economics=Econ|Sociology=Sociol|Political Science=Polit Sci|Education=Educ|
Management=Manage|Finance=Finance|Development Studies=Dev Stud|Urban Studies=Urban Stud|
Linguistics=Linguist|Law and Economics=Law Econ|Public Policy=Public Policy|
Demography=Demogr|Social Psychology=Soc Psychol|Labor Economics=Labor Econ|Geography=Geogr|
History=Hist|Philosophy=Philos|Communication=Commun|Marketing=Mark|Organizational
Behavior=Organ Behav""",
}
_ONE_WORD = {"cs": "Automatica Algorithmica Computing Bioinformatics Neurocomputing",
             "biomed": "Circulation Neuron Cell Blood Brain Pain Gut Heart Stroke Diabetes Cancer "
                       "Hypertension Thorax Chest Hepatology Cortex Psychoneuroendocrinology",
             "physics": "Nanoscale Nanotechnology Metrologia Icarus",
             "social": "Econometrica Demography Kyklos Economica"}
_REGIONS = ("American", "European", "British", "International", "Scandinavian", "Canadian",
            "Australian", "Chinese", "Japanese", "Nordic", "Brazilian")
_JOURNAL_PATTERNS = ("Journal of {F}", "{R} Journal of {F}", "International Journal of {F}",
                     "Annals of {F}", "Advances in {F}", "{F} Research", "{F} Letters",
                     "Clinical {F}", "Experimental {F}", "Frontiers in {F}", "{F} Reviews",
                     "Progress in {F}", "IEEE Transactions on {F}", "ACM Transactions on {F}")
_CONF_PATTERNS = (("International Conference on {F}", "IC"), ("European Conference on {F}", "EC"),
                  ("IEEE Symposium on {F}", "S"), ("ACM Conference on {F}", "C"),
                  ("Annual Meeting on {F}", "AM"), ("International Workshop on {F}", "IW"))
# Publishers: DOI prefix, suffix style, landing-page host.
_PUBLISHERS = (("10.1016", "elsevier", "www.sciencedirect.com"),
               ("10.1007", "springer", "link.springer.com"),
               ("10.1109", "ieee", "ieeexplore.ieee.org"), ("10.1145", "acm", "dl.acm.org"),
               ("10.1038", "nature", "www.nature.com"), ("10.1371", "plos", "journals.plos.org"),
               ("10.1103", "aps", "journals.aps.org"),
               ("10.1111", "wiley", "onlinelibrary.wiley.com"),
               ("10.1002", "wiley2", "onlinelibrary.wiley.com"),
               ("10.1093", "oup", "academic.oup.com"), ("10.1177", "sage", "journals.sagepub.com"),
               ("10.3389", "frontiers", "www.frontiersin.org"),
               ("10.1161", "aha", "www.ahajournals.org"), ("10.18653", "acl", "aclanthology.org"))
_GENERIC_TITLES = ("Editorial", "Editorial", "Introduction", "Preface", "Foreword", "Book reviews",
                   "Book Review", "Guest editorial", "Editorial board", "In memoriam",
                   "Announcements", "Correspondence", "Editor's note", "Letter from the editor")


@dataclass(frozen=True, slots=True)
class Venue:
    full: str
    iso: str       # ISO 4 abbreviation without dots (PubMed)
    dotted: str    # abbreviation with dots (dblp)
    acronym: str   # conferences
    issn: str
    kind: str      # journal | conference
    domain: str
    founded: int
    publisher: tuple[str, str, str]
    code: str      # short lower-case code used in DOIs and keys


def _issn(n: int) -> str:
    d = f"{n % 10_000_000:07d}"
    check = (11 - sum(int(c) * w for c, w in zip(d, range(8, 1, -1), strict=True)) % 11) % 11
    return f"{d[:4]}-{d[4:]}{'X' if check == 10 else check}"


def _dotted(iso: str, full: str) -> str:
    """dblp's style: a dot after each abbreviated word (``J. Mol. Cell Cardiol.``)."""
    words = set(full.split())
    return " ".join(w if w in words else w + "." for w in iso.split())


def _abbrev(name: str, fields: dict[str, str]) -> str:
    for f, a in sorted(fields.items(), key=lambda fa: -len(fa[0])):  # longest first
        if f in name:
            name = name.replace(f, a)
            break
    words = [_ABBR.get(w, w) for w in name.split() if w not in ("of", "on", "in", "and", "The")]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Vocab:
    words: dict[str, list[str]]
    cum: dict[str, list[float]]
    with_tail: dict[str, tuple[list[str], list[float]]]  # words + [""], cumulative weights
    venues: dict[str, list[Venue]]
    venue_cum: dict[str, list[float]]
    cultures: list[tuple[list[str], list[str]]]
    culture_cum: list[float]
    foreign: list[str]
    mojibake_table: tuple[str, ...]


class _Bits:
    """Choices drawn from a hash, like :class:`random.Random`'s: a term or
    name is a pure function of its rank, so the tails need no storage."""

    __slots__ = ("h",)

    def __init__(self, h: int):
        self.h = h

    def _take(self, n: int) -> int:
        self.h = _mix(self.h)
        return self.h % n

    def random(self) -> float:
        return self._take(1 << 20) / (1 << 20)

    def choice(self, seq):
        return seq[self._take(len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + self._take(b - a + 1)


@functools.lru_cache(maxsize=1 << 17)
def term(domain: int, rank: int) -> str:
    """The made-up rare term of a domain at a Zipf rank (gene symbols, drug,
    model and place names, formulas)."""
    return _made_up(_Bits(rank * 8 + domain + 0x5EED), DOMAINS[domain])


@functools.lru_cache(maxsize=1 << 16)
def surname(rank: int) -> str:
    """A made-up surname at a Zipf rank: the long tail of family names."""
    b = _Bits(rank * 8 + 0xFA)
    return "".join(b.choice(_SYL) for _ in range(b.randint(2, 3))).capitalize() + b.choice(
        ("", "", "son", "er", "ski", "ov", "ez", "ini", "mann", "sen", "ová", "é"))


def _made_up(rng: random.Random | _Bits, domain: str) -> str:
    syl = _SYL
    r = rng.random()
    if domain == "biomed":
        if r < 0.35:
            return "".join(rng.choice("ABCDEFGHIKLMNPRSTVX") for _ in range(rng.randint(2, 4))) \
                + str(rng.randint(1, 12))
        if r < 0.7:
            return "".join(rng.choice(syl) for _ in range(2)) + rng.choice(
                ("mab", "nib", "pril", "olol", "statin", "azole", "mycin", "tide", "oxetine",
                 "pam", "sartan", "dipine"))
        return rng.choice(("cardio", "neuro", "hepato", "nephro", "myo", "osteo", "immuno",
                           "angio", "cyto", "pharmaco", "entero", "thrombo")) + "".join(
            rng.choice(syl) for _ in range(rng.randint(1, 2))) + rng.choice(
            ("genic", "toxic", "pathic", "tropic", "lytic", "sis", "itis", "ase", "in"))
    if domain == "cs":
        base = "".join(rng.choice(syl) for _ in range(rng.randint(1, 2))).capitalize()
        if r < 0.3:
            return base + rng.choice(("Net", "GAN", "BERT", "Former", "Flow", "DB", "Graph"))
        if r < 0.55:
            return "".join(rng.choice("ABCDEFGHIKLMNPRSTUVWXYZ") for _ in range(rng.randint(3, 5)))
        return base.lower() + rng.choice(("ing", "ization", "ability", "ic", "al", "er"))
    if domain == "physics":
        if r < 0.2:
            el = ("Bi", "Se", "Fe", "Cu", "O", "Sr", "Ti", "La", "Mn", "Ga", "As", "Nb", "Te",
                  "Mo", "S")
            return "".join(rng.choice(el) + str(rng.choice(("", "", "2", "3", "4")))
                           for _ in range(rng.randint(2, 3)))
        return "".join(rng.choice(syl) for _ in range(rng.randint(2, 3))) + rng.choice(
            ("on", "ons", "ic", "ity", "ance", "ization"))
    base = "".join(rng.choice(syl) for _ in range(rng.randint(2, 3)))
    return base.capitalize() if r < 0.5 else base + rng.choice(("ism", "ity", "al", "ist"))


@functools.cache
def vocab() -> Vocab:
    """The fixed vocabularies (built once, with their own seed)."""
    rng = random.Random(20240601)
    words: dict[str, list[str]] = {}
    cum: dict[str, list[float]] = {}
    with_tail: dict[str, tuple[list[str], list[float]]] = {}
    for d in DOMAINS:
        real = list(dict.fromkeys(_COMMON[:40] + _DOMAIN_WORDS[d] + _COMMON[40:]))
        rng.shuffle(real)  # mix the domain and common words in the Zipf head
        words[d] = real
        cum[d] = list(accumulate(1.0 / (r + 3) ** 1.05 for r in range(len(real))))
        # The same with a last entry, "" (a tail term), drawn with probability TAIL_SHARE.
        with_tail[d] = (real + [""], [c * (1 - TAIL_SHARE) / cum[d][-1] for c in cum[d]] + [1.0])
    venues: dict[str, list[Venue]] = {}
    venue_cum: dict[str, list[float]] = {}
    n = 0
    for d in DOMAINS:
        fields = dict(p.strip().replace("\n", " ").split("=") for p in _FIELDS[d].split("|"))
        vs: list[Venue] = []
        for fname in fields:
            patterns = rng.sample(_JOURNAL_PATTERNS, 6)
            for pat in patterns:
                region = rng.choice(_REGIONS)
                full = pat.format(F=fname, R=region)
                if "Transactions" in pat and d != "cs" or "Clinical" in pat and d != "biomed":
                    continue
                iso = _abbrev(full, fields)
                pub = rng.choice(_PUBLISHERS[:13])
                code = "".join(w[0] for w in iso.split()).lower() + str(n % 97)
                n += 1
                vs.append(Venue(full, iso, _dotted(iso, full), "", _issn(1000000 + n * 7919),
                                "journal", d, rng.randint(1950, 2010), pub, code))
            if d in ("cs", "physics") or rng.random() < 0.3:
                pat, pre = rng.choice(_CONF_PATTERNS)
                full = pat.format(F=fname)
                acr = pre + "".join(w[0] for w in fname.split() if w[0].isupper())
                pub = ("10.18653", "acl", "aclanthology.org") if "Linguist" in fname else \
                    rng.choice((("10.1109", "ieee", "ieeexplore.ieee.org"),
                                ("10.1145", "acm", "dl.acm.org"),
                                ("10.1007", "springer", "link.springer.com")))
                n += 1
                vs.append(Venue(full, _abbrev(full, fields), acr, acr, "", "conference", d,
                                rng.randint(1980, 2010), pub, acr.lower()))
        for name in _ONE_WORD[d].split():
            n += 1
            vs.append(Venue(name, name, name, "", _issn(1000000 + n * 7919), "journal", d,
                            rng.randint(1900, 1990), rng.choice(_PUBLISHERS[:13]),
                            name[:4].lower()))
        rng.shuffle(vs)
        venues[d] = vs
        venue_cum[d] = list(accumulate(1.0 / (r + 5) for r in range(len(vs))))
    cultures = [(c[1].replace("\n", " ").split("|") if "|" in c[1] else c[1].split(),
                 c[2].split()) for c in _CULTURES]
    cultures = [([f.strip() for f in fams if f.strip()], giv) for fams, giv in cultures]
    culture_cum = list(accumulate(c[0] for c in _CULTURES))
    foreign = []
    for lang in _LANGS:
        for _ in range(400):
            foreign.append("".join(rng.choice(_SYL) for _ in range(rng.randint(1, 3)))
                           + rng.choice(_FOREIGN[lang]))
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return Vocab(words, cum, with_tail, venues, venue_cum, cultures, culture_cum, foreign,
                 tuple(table))


# --- text variants -------------------------------------------------------------

def mojibake(s: str) -> str:
    """UTF-8 bytes read as Windows-1252: ``Müller`` -> ``MÃ¼ller``."""
    table = vocab().mojibake_table
    return "".join(table[b] for b in s.encode("utf-8"))


_STRIP = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "ı": "i",
                        "æ": "ae", "α": "alpha", "β": "beta", "κ": "kappa", "ε": "epsilon"})


@functools.lru_cache(maxsize=1 << 16)
def strip_accents(s: str) -> str:
    s = s.translate(_STRIP)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1 << 14)
def _entities(s: str) -> str:
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in s)


def title_case(s: str) -> str:
    out = []
    for i, w in enumerate(s.split(" ")):
        if w and w.islower() and (i == 0 or w not in _SMALL):
            w = w[0].upper() + w[1:]
        out.append(w)
    return " ".join(out)


def sentence_case(s: str) -> str:
    out = []
    for i, w in enumerate(s.split(" ")):
        if i and w[1:].islower() and w[:1].isupper() and w.isalpha():
            w = w.lower()
        out.append(w)
    return " ".join(out)


_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def typo(s: str, rng: random.Random) -> str:
    """One slip of the keyboard in a word of five letters or more."""
    words = s.split(" ")
    long_ = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_:
        return s
    i = rng.choice(long_)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.random()
    if op < 0.3:
        w = w[:j] + w[j + 1:]
    elif op < 0.55:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif op < 0.8:
        w = w[:j] + rng.choice(_KEYS) + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


# --- the model: works and their records -----------------------------------------

Person = tuple[str, str, str]  # family, given, middle initial ("" if none)


@dataclass(slots=True)
class Work:
    index: int
    cluster: str
    domain: str
    kind: str                      # journal | conference | preprint | generic | notice
    title: str                     # canonical case; "\0" marks the special term
    special: int = -1
    subtitle: str = ""
    lang: str = ""
    foreign: str = ""
    authors: list[Person] = field(default_factory=list)
    year: int = 2000
    online_year: int = 2000
    venue: Venue | None = None
    volume: str = ""
    issue: str = ""
    pages: tuple[int, int] | None = None
    article: str = ""
    doi: str = ""
    arxiv: str = ""
    arxiv_version: int = 1
    preprint_year: int = 0
    preprint_month: int = 1
    landing: str = ""
    abstract: str | None = None
    dblp_key: str = ""
    part: int = 0                  # series: Part I, II, III
    preprint_title: tuple[str, str] | None = None  # (title, subtitle) if the preprint's differ


def _mix(x: int) -> int:
    """splitmix64: a cheap, well-spread hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


class Generator:
    """Makes works one group at a time (:class:`Render` writes their records)."""

    def __init__(self, n_records: int, seed: int):
        self.v = vocab()
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_records = n_records
        self.persons = max(500, int(n_records * 1.5))  # people grow with the data
        self.counters = dict.fromkeys(SOURCES, 0)
        self.arxiv_months: dict[str, int] = {}
        self.index = 0
        self.salt = _mix(seed)

    # -- people
    def person(self, p: int) -> Person:
        h = _mix(p ^ self.salt)
        v = self.v
        c = bisect.bisect(v.culture_cum, (h & 0xFFFF) / 65536 * v.culture_cum[-1])
        fams, givs = v.cultures[c]
        u = ((h >> 16) & 0xFFFF) / 65536
        if c in (0, 5, 6, 7) and (h >> 60) & 1:  # western surnames: a long tail
            family = surname(int(math.exp(((h >> 32) & 0xFFFF) / 65536 * _LOG_SURNAMES)))
        else:
            family = fams[int(len(fams) * u ** 1.6)]
        g = _mix(h)  # fresh bits for the given name and middle initial
        given = givs[g % len(givs)]
        middle = "ABCDEFGHJKLMNPRSTW"[(g >> 16) % 18] if (g >> 32) % 10 < 3 and c != 1 else ""
        return family, given, middle

    def authors(self, domain: str) -> list[Person]:
        rng = self.rng
        if domain == "physics" and rng.random() < 0.05:
            n = rng.randint(12, 40)  # collaborations
        else:  # single-author shares: CS ~10%, biomedicine ~4%, social science ~30%
            median, sigma = AUTHORS_PER_WORK[domain]
            n = min(60, max(1, round(rng.lognormvariate(math.log(median), sigma))))
        P = self.persons
        first = int(P * rng.random() ** 2) if rng.random() < 0.35 else rng.randrange(P)
        idx = [first]
        while len(idx) < n:
            q = (first + rng.randint(-40, 40)) % P if rng.random() < 0.5 else rng.randrange(P)
            if q not in idx:
                idx.append(q)
        return [self.person(q) for q in idx]

    # -- titles
    def phrase(self, domain: str, k: int) -> list[str]:
        """``k`` title words: common ones from the Zipf head, rare terms from the open tail."""
        rng = self.rng
        population, cum = self.v.with_tail[domain]
        words = rng.choices(population, cum_weights=cum, k=k)
        for i, x in enumerate(words):
            if not x:
                rank = _TAIL_SCALE * ((1.0 - rng.random()) ** (-1 / _TAIL_ALPHA) - 1)
                words[i] = term(DOMAINS.index(domain), int(min(rank, 1e12)))
        return words

    def title(self, domain: str) -> tuple[str, int, str]:
        rng = self.rng
        n = rng.choice((3, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 12))
        words = self.phrase(domain, n)
        special = -1
        if domain in ("biomed", "physics") and rng.random() < 0.06:
            special = rng.randrange(len(SPECIAL))
            words.insert(rng.randrange(len(words) + 1), "\0")
        parts = [rng.choice(_OPENERS) + words[0]]
        i = 1
        while i < len(words):
            step = rng.choice((1, 1, 2, 2, 3))
            parts.append(rng.choice(_CONNECTORS))
            parts.extend(words[i:i + step])
            i += step
        t = " ".join(parts)
        t = t[0].upper() + t[1:]
        if rng.random() < 0.35:
            t = title_case(t)
        sub = ""
        r = rng.random()
        if r < 0.12:
            sub = rng.choice(_SUBTITLES)
        elif r < 0.22:
            sub = " ".join(self.phrase(domain, rng.randint(2, 4)))
        return t, special, sub

    # -- works
    def new_work(self, domain: str | None = None, published: bool = False) -> Work:
        rng = self.rng
        self.index += 1
        if domain is None:
            domain = rng.choices(DOMAINS, weights=DOMAIN_WEIGHTS)[0]
        t, special, sub = self.title(domain)
        w = Work(self.index, f"w{self.index:08d}", domain, "", t, special, sub)
        if domain in ("biomed", "social") and rng.random() < 0.04:
            w.lang = rng.choice(_LANGS)
            w.foreign = " ".join(rng.choices(self.v.foreign, k=rng.randint(3, 8))).capitalize()
        w.authors = self.authors(domain)
        year = 2024 - min(49, int(rng.expovariate(1 / 11)))
        has_preprint = rng.random() < PREPRINT_SHARE[domain] and year >= 1995
        if has_preprint:
            w.arxiv = "-"
            w.arxiv_version = rng.choices((1, 2, 3, 4, 5), (45, 30, 15, 6, 4))[0]
        self.date(w, year)
        if has_preprint and not published and rng.random() < PREPRINT_ONLY:
            w.kind = "preprint"
            w.year = w.online_year = w.preprint_year
            return w
        if w.arxiv and rng.random() < 0.15:  # the journal version retitled
            w.preprint_title = self.retitle(w)
        venue = self.pick_venue(domain)
        self.publish(w, venue, venue.kind)
        return w

    def retitle(self, w: Work) -> tuple[str, str]:
        """The title of a preprint its journal version changed: the subtitle
        added or dropped, the case changed, or a word changed."""
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return w.title, ("" if w.subtitle else " ".join(self.phrase(w.domain, 3)))
        if r < 0.75:
            return (sentence_case(w.title) if w.title != sentence_case(w.title)
                    else title_case(w.title)), w.subtitle
        return self.reword(w.title, w.domain), w.subtitle

    def reword(self, title: str, domain: str) -> str:
        """``title`` with one content word replaced."""
        words = title.split(" ")
        content = [i for i, x in enumerate(words) if x.isalpha() and x.lower() not in _SMALL]
        if content:
            new = self.phrase(domain, 1)[0]
            words[self.rng.choice(content)] = new if new != "\0" else "extended"
        return " ".join(words)

    def pick_venue(self, domain: str) -> Venue:
        cum = self.v.venue_cum[domain]
        return self.v.venues[domain][bisect.bisect(cum, self.rng.random() * cum[-1])]

    def date(self, w: Work, year: int) -> None:
        """Set a work's year; its preprint (if any) comes out in that year or up to two before."""
        w.year = w.online_year = year
        if w.arxiv:
            w.preprint_year = max(1995, year - self.rng.choices((0, 1, 2), (5, 4, 1))[0])
            w.preprint_month = self.rng.randint(1, 12)
            w.arxiv = self.arxiv_id(w.domain, w.preprint_year, w.preprint_month)

    def publish(self, w: Work, venue: Venue, kind: str) -> None:
        rng = self.rng
        w.venue = venue
        w.kind = kind
        year = w.year
        if venue.kind == "journal":
            w.volume = str(max(1, year - venue.founded + 1))
            w.issue = str(rng.randint(1, 12))
            if rng.random() < 0.1 and kind != "generic":
                w.online_year = year - 1
        start = rng.randint(1, 2500)
        if kind == "generic":
            w.pages = (start, start + rng.randint(0, 2))
        elif venue.publisher[1] in ("plos", "frontiers") and kind != "notice":
            w.article = f"e{(w.index * 7919) % _U_MOD:07d}"[:7]
        else:
            w.pages = (start, start + (rng.randint(0, 1) if kind == "notice"
                                       else rng.randint(3, 24)))
        w.doi = self.doi(w, venue)
        w.landing = f"https://{venue.publisher[2]}/article/{w.doi.split('/', 1)[1].lower()}"

    def doi(self, w: Work, v: Venue) -> str:
        u = (w.index * 7919 + self.seed * 104729) % _U_MOD
        prefix, style, _ = v.publisher
        y = w.year
        j = hash_str(v.code) % 90000 + 10000  # a journal number
        match style:
            case "elsevier":
                suffix = f"j.{v.code}.{y}.{u:07d}"
            case "springer":
                suffix = f"s{j}-{y % 1000:03d}-{u:07d}-{u % 10}"
            case "ieee":
                suffix = f"{v.code.upper()}.{y}.{u:07d}"
            case "acm":
                suffix = f"{3000000 + u}"
            case "nature":
                suffix = f"s{j}-{y % 1000:03d}-{u:07d}-{u % 7}"
            case "plos":
                suffix = f"journal.{v.code}.{u:07d}"
            case "aps":
                suffix = f"PhysRev{v.code[:1].upper()}.{w.volume or 1}.{u:07d}"
            case "wiley":
                suffix = f"j.{v.issn}.{y}.{u:07d}.x"
            case "sage":
                suffix = f"{v.issn.replace('-', '')}{u:07d}"
            case "frontiers":
                suffix = f"f{v.code}.{y}.{u:07d}"
            case "aha":
                suffix = f"{v.code.upper()}.{y % 100:02d}.{u:07d}"
            case "acl":
                suffix = f"v1/{v.acronym or v.code}{y % 100:02d}-{u:07d}"
            case _:  # wiley2, oup
                suffix = f"{v.code}.{u:07d}"
        return f"{prefix}/{suffix}"

    def arxiv_id(self, domain: str, year: int, month: int) -> str:
        while True:
            yymm = f"{year % 100:02d}{month:02d}"
            key = yymm if year >= 2007 else f"{domain}{yymm}"
            n = self.arxiv_months.get(key, 0) + 1
            cap = 99999 if year >= 2015 else 9999 if year >= 2007 else 999
            if n <= cap:
                break
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        self.arxiv_months[key] = n
        n = ((n - 1) * 7919 + hash_str(key)) % cap + 1  # one-to-one on 1..cap
        if year >= 2015:
            return f"{yymm}.{n:05d}"
        if year >= 2007:
            return f"{yymm}.{n:04d}"
        archive = {"cs": "cs", "physics": "hep-th", "biomed": "q-bio", "social": "physics"}[domain]
        return f"{archive}/{yymm}{n:03d}"

    def abstract(self, w: Work) -> str:
        if w.abstract is None:
            rng = self.rng
            lengths = [rng.randint(6, 14) for _ in range(rng.randint(3, 6))]
            # Common words, and every seventh word one of the title's.
            words = rng.choices(self.v.words[w.domain], cum_weights=self.v.cum[w.domain],
                                k=sum(lengths))
            own = [x for x in w.title.split(" ") if len(x) > 3] or ["method"]
            for j in range(3, len(words), 7):
                words[j] = own[(j + w.index) % len(own)]
            conn = _CONNECTORS
            for j in range(2, len(words), 3):
                words[j] = f"{conn[(j * 7 + w.index) % len(conn)]} {words[j]}"
            sents, i = [], 0
            for n in lengths:
                s = " ".join(words[i:i + n])
                i += n
                sents.append(s[0].upper() + s[1:] + ".")
            plain = SPECIAL[w.special][0] if w.special >= 0 else "method"
            w.abstract = " ".join(sents).replace("\0", plain)
        return w.abstract

    # -- groups of works: ordinary works and hard negatives
    def group(self) -> list[Work]:
        rng = self.rng
        kind = _GROUPS[bisect.bisect(_GROUP_CUM, rng.random())]
        if kind == "work":
            return [self.new_work()]
        if kind == "generic":
            return [self.generic()]
        base = self.new_work(published=True)
        if base.venue is None:  # a preprint cannot have an erratum
            return [base]
        if kind == "erratum":
            return [base, self.notice(base, rng.choice((
                "Erratum: {t}", "Erratum to: {t}", "Correction to: {t}", "Correction: {t}",
                "Corrigendum to \u201c{t}\u201d", "Erratum: {t}")), base.authors
                if rng.random() < 0.6 else [])]
        if kind == "comment":
            c = self.notice(base, rng.choice(("Comment on \u201c{t}\u201d", "Comment on: {t}")),
                            self.authors(base.domain))
            return [base, c, self.notice(base, "Reply to \u201cComment on \u2018{t}\u2019\u201d",
                                         base.authors)]
        if kind == "series":
            return self.series(base)
        return [base, self.followup(base)]

    def series(self, base: Work) -> list[Work]:
        """``base`` as "... Part I" and one or two more parts: the same authors
        and venue, in the same or the next year."""
        rng = self.rng
        assert base.venue is not None
        parts = [base]
        stem = base.title.rstrip(".")
        base.subtitle, base.lang = "", ""  # (no translated series)
        base.title, base.part, base.preprint_title = f"{stem}. Part I", 1, None
        for k in range(2, rng.choice((2, 2, 3)) + 1):
            p = self.new_work(base.domain, published=True)
            p.title, p.part, p.preprint_title = f"{stem}. Part {'I' * k}", k, None
            p.special, p.subtitle, p.lang = base.special, "", ""
            p.authors = base.authors
            self.date(p, min(2024, base.year + rng.choice((0, 0, 1))))
            self.publish(p, base.venue, base.venue.kind)
            parts.append(p)
        return parts

    def followup(self, base: Work) -> Work:
        """A follow-up of ``base``: the same authors, a word changed, a year
        one to four apart, another venue."""
        rng = self.rng
        f = self.new_work(base.domain, published=True)
        f.title, f.special, f.subtitle, f.lang = (self.reword(base.title, base.domain),
                                                  base.special, base.subtitle, "")
        f.preprint_title = None
        f.authors = base.authors[: max(1, len(base.authors) - rng.randint(0, 1))]
        k = rng.randint(1, 4)
        self.date(f, base.year + k if base.year + k <= 2024 else base.year - k)
        assert f.venue is not None
        self.publish(f, f.venue, f.venue.kind)
        return f

    def notice(self, base: Work, pattern: str, authors: list[Person]) -> Work:
        self.index += 1
        t = base.title + (": " + base.subtitle if base.subtitle else "")
        w = Work(self.index, f"w{self.index:08d}", base.domain, "notice",
                 pattern.format(t=t), base.special)
        w.authors = authors
        w.year = w.online_year = base.year + self.rng.choice((0, 0, 1))
        self.publish(w, base.venue, "notice")
        return w

    def generic(self) -> Work:
        rng = self.rng
        self.index += 1
        domain = rng.choices(DOMAINS, weights=DOMAIN_WEIGHTS)[0]
        venue = self.pick_venue(domain)
        w = Work(self.index, f"w{self.index:08d}", domain, "generic", rng.choice(_GENERIC_TITLES))
        editor = _mix(hash_str(venue.full)) % self.persons
        w.authors = [self.person(editor)] if rng.random() < 0.5 else []
        w.year = w.online_year = 2024 - min(40, int(rng.expovariate(1 / 10)))
        self.publish(w, venue, "generic")
        return w

    # -- which sources hold a work
    def choose_sources(self, w: Work) -> list[tuple[str, str]]:
        rng = self.rng
        if w.kind in ("generic", "notice"):
            pool = ["crossref", "openalex", "pubmed" if w.domain == "biomed" else "semanticscholar",
                    "library"]
            k = rng.choices((1, 2, 3), (5, 4, 1))[0]
            return [(s, "pub") for s in rng.sample(pool, k)]
        size = rng.choices(range(1, len(SIZE_WEIGHTS) + 1), SIZE_WEIGHTS)[0]
        cov = dict(COVERAGE[w.domain])
        if w.kind == "preprint":
            for s in ("crossref", "pubmed", "library"):
                cov.pop(s, None)
        if not w.arxiv:
            cov.pop("arxiv", None)
        elif "arxiv" in cov:
            cov["arxiv"] *= 2
        if w.kind == "conference":
            cov.pop("pubmed", None)
        names = list(cov)
        weights = [cov[s] for s in names]
        chosen: list[tuple[str, str]] = []
        while len(chosen) < size and names:
            i = bisect.bisect(list(accumulate(weights)), rng.random() * sum(weights))
            s = names.pop(i)
            weights.pop(i)
            pre = w.kind == "preprint" or s == "arxiv" or (
                w.arxiv and s in ("core", "scholar-archive") and rng.random() < 0.6)
            chosen.append((s, "pre" if pre else "pub"))
            if w.arxiv and w.kind != "preprint" and len(chosen) < size:
                if s == "openalex" and rng.random() < 0.25:
                    chosen.append((s, "pre"))
                elif s == "dblp" and rng.random() < 0.3:
                    chosen.append((s, "pre"))
        return chosen

    def next_id(self, source: str) -> int:
        self.counters[source] += 1
        return self.counters[source]


def hash_str(s: str) -> int:
    """A stable (unsalted) hash of a string."""
    h = 0
    for c in s.encode():
        h = (h * 1099511628211 ^ c) & 0xFFFFFFFFFFFFFFFF
    return h


# --- records: how each source writes a work ----------------------------------------

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
# An odd 160-bit multiplier: c -> c * K mod 2**n is one-to-one, so ids never repeat.
_K160 = 0x9E3779B97F4A7C15F39CC0605CEDC8341082276B
_KEYCHARS = "ABCDEFGHIJKLMNPQRSTUVWXYZ23456789"
_COMMON_FAMILIES = frozenset("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Kim Lee "
                             "Park Smith Kumar Singh Müller".split())


def _digits(n: int, alphabet: str, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def _add_place(rec: dict, w: Work, style: str) -> None:
    """Volume, issue and pages (in ``style``, or the article number) as a
    publisher's record carries them."""
    if w.volume:
        rec["volume"], rec["issue"] = w.volume, w.issue
    if w.pages:
        rec["pages"] = pages_text(w.pages, style)
    elif w.article:
        rec["pages"] = w.article


def pages_text(pages: tuple[int, int], style: str) -> str:
    a, b = pages
    if a == b:
        return str(a)
    sa, sb = str(a), str(b)
    if style == "short" and len(sa) == len(sb):  # MEDLINE: 139-154 -> 139-54
        i = 0
        while i < len(sb) - 1 and sa[i] == sb[i]:
            i += 1
        sb = sb[i:]
    return f"{sa}{'–' if style == 'dash' else '-'}{sb}"


class Render:
    """Per-record variation, on top of a :class:`Generator`'s works."""

    def __init__(self, g: Generator):
        self.g = g
        self.rng = g.rng

    def title(self, w: Work, version: str = "pub", *, markup: float = 0.0,
              drop_sub: float = 0.02, typo_p: float = 0.0, case: str = "", stop: bool = False,
              foreign: float = 0.0, bracket: bool = False, note: float = 0.0) -> str:
        rng = self.rng
        if w.lang and rng.random() < foreign:
            return w.foreign
        t, sub = w.preprint_title if version == "pre" and w.preprint_title else (
            w.title, w.subtitle)
        if w.part and rng.random() < 0.1:  # "Part 2" for "Part II"
            t = t.removesuffix("I" * w.part) + str(w.part)
        if w.special >= 0:
            plain, variants = SPECIAL[w.special]
            v = variants[0] if rng.random() < markup else rng.choice(variants[1:])
            t = t.replace("\0", v)
        if sub and rng.random() >= drop_sub:
            t = f"{t}: {sub}"
        if typo_p and rng.random() < typo_p:
            t = typo(t, rng)
        if case == "upper":
            t = t.upper()
        elif case == "title":
            t = title_case(t)
        elif case == "sentence":
            t = sentence_case(t)
        if w.lang and bracket:
            return f"[{t}]."
        if w.lang and rng.random() < note:
            return f"{t}. [{w.lang}]"
        if stop and t[-1] not in ".?!":
            t += "."
        return t

    def authors(self, w: Work, style: str, *, drop_middle: float = 0.2, strip: float = 0.0,
                moji: float = 0.0, entities: float = 0.0, initials: float = 0.0,
                etal: float = 0.0, homonym: bool = False) -> list | str:
        rng = self.rng
        people = w.authors
        if not people:
            return [] if style not in ("embase", "bibtex") else ""
        dm = rng.random() < drop_middle
        st = rng.random() < strip
        mj = rng.random() < moji
        en = rng.random() < entities
        ini = rng.random() < initials
        swap_names = style == "embase" and rng.random() < 0.004
        cut = len(people)
        if etal and len(people) > 3 and rng.random() < etal:
            cut = rng.randint(1, 3)
        elif style == "pubmed" and len(people) > 25:
            cut = 25
        if len(people) > 2 and rng.random() < 0.01:  # two authors swapped
            people = list(people)
            i = rng.randrange(len(people) - 1)
            people[i], people[i + 1] = people[i + 1], people[i]
        out: list = []
        for family, given, middle in people[:cut]:
            if dm:
                middle = ""
            if swap_names:
                family, given = given, family
            if st:
                family, given = strip_accents(family), strip_accents(given)
            elif mj:
                family, given = mojibake(family), mojibake(given)
            elif en:
                family, given = _entities(family), _entities(given)
            gi = "".join(p[0].upper() for p in given.replace("-", " ").split()) + middle
            if style == "pubmed":
                out.append(f"{family} {gi}")
            elif style == "embase":
                out.append(f"{family} {'. '.join(gi)}.")
            elif style in ("bibtex", "comma"):
                g = f"{given} {middle}." if middle else given
                out.append(f"{family}, {'. '.join(gi) + '.' if ini else g}")
            elif style == "crossref":
                g = f"{given} {middle}." if middle else given
                out.append({"given": ". ".join(gi) + "." if ini else g, "family": family})
            else:
                g = ". ".join(gi) + "." if ini else (f"{given} {middle}." if middle else given)
                name = f"{g} {family}"
                if homonym and family in _COMMON_FAMILIES and hash_str(name) % 3 == 0:
                    name += f" {hash_str(name) % 40 + 1:04d}"
                out.append({"name": name} if style == "name" else name)
        if style == "embase":
            return "".join(out) + (" et al." if cut < len(people) and rng.random() < 0.5 else "")
        if style == "bibtex":
            return " and ".join(out) + (" and others" if cut < len(people) else "")
        if cut < len(people) and style != "pubmed":
            out.append("et al.")
        return out

    def abstract(self, w: Work, p: float) -> str | None:
        if w.kind in ("generic", "notice") or self.rng.random() >= p:
            return None
        return self.g.abstract(w)

    def venue(self, w: Work, form: str) -> str:
        v = w.venue
        if v is None:
            return ""
        if v.kind == "conference":
            if form == "full":
                rng = self.rng
                n = max(1, w.year - v.founded + 1)
                th = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
                return rng.choice((f"Proceedings of the {n}{th} {v.full}",
                                   f"{w.year} {v.full} ({v.acronym})",
                                   f"{v.full}, {v.acronym} {w.year}"))
            return v.acronym if form != "iso" else f"Proc {v.acronym}"
        return {"full": v.full, "iso": v.iso, "dotted": v.dotted, "acronym": v.dotted}[form]

    def year(self, w: Work, version: str, online: float) -> int:
        if version == "pre":
            return w.preprint_year
        return w.online_year if self.rng.random() < online else w.year

    def dblp_key(self, w: Work, version: str) -> str:
        if version == "pre":
            return "journals/corr/abs-" + w.arxiv.replace(".", "-").replace("/", "-")
        if not w.dblp_key:
            names = [strip_accents(a[0]).replace(" ", "").replace("'", "") for a in w.authors[:4]]
            who = (names[0] + "".join(n[:1] for n in names[1:])) if names else "Anon"
            kind = "journals" if w.venue and w.venue.kind == "journal" else "conf"
            code = w.venue.code if w.venue else "x"
            w.dblp_key = f"{kind}/{code}/{who}{w.year % 100:02d}{_digits(w.index, _B32[:26], 3)}"
        return w.dblp_key


def _arxiv(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    rid = f"{w.arxiv}v{w.arxiv_version}"
    t = r.title(w, "pre", markup=0.3, typo_p=0.005)
    if len(t) > 60 and rng.random() < 0.3:
        cut = t.find(" ", len(t) // 2)
        if cut > 0:
            t = t[:cut] + "\n  " + t[cut + 1:]
    rec = {"id": rid, "title": t,
           "authors": r.authors(w, "full", drop_middle=0.3, strip=0.15),
           "year": w.preprint_year,
           "date": f"{w.preprint_year}-{w.preprint_month:02d}-{1 + w.index % 28:02d}",
           "type": "preprint", "arxiv": rid, "abstract": g.abstract(w),
           "urls": [f"https://arxiv.org/abs/{rid}", f"https://arxiv.org/pdf/{rid}"]}
    if w.preprint_year >= 2015 and rng.random() < 0.4:
        rec["doi"] = f"10.48550/arXiv.{w.arxiv}"
    elif w.doi and rng.random() < 0.25:  # the journal reference the authors added
        rec["doi"] = w.doi
    return rec


def _crossref(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    v = w.venue
    assert v is not None
    rec = {"id": w.doi, "doi": w.doi,
           "title": r.title(w, markup=0.7, drop_sub=0.25, typo_p=0.005, foreign=0.5),
           "authors": r.authors(w, "crossref", initials=0.12, strip=0.03, moji=0.01),
           "year": r.year(w, version, 0.7), "venue": r.venue(w, "full")}
    if rng.random() < 0.5:
        rec["date"] = f"{rec['year']}-{1 + w.index % 12:02d}-{1 + w.index % 28:02d}"
    _add_place(rec, w, "full")
    if v.issn and rng.random() < 0.7:
        rec["issn"] = v.issn
    rec["type"] = "journal-article" if v.kind == "journal" else "proceedings-article"
    if (a := r.abstract(w, 0.25)) is not None:
        rec["abstract"] = f"<jats:title>Abstract</jats:title><jats:p>{a}</jats:p>"
    rec["urls"] = [f"http://dx.doi.org/{w.doi}"] + ([w.landing] if rng.random() < 0.3 else [])
    return rec


def _openalex(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    c = g.next_id("openalex")
    wid = f"W{2000000000 + (c * 2654435761) % 10**9}"
    rec = {"id": wid, "title": r.title(w, version, markup=0.5, typo_p=0.01, foreign=0.3),
           "authors": r.authors(w, "name", drop_middle=0.3, strip=0.05, moji=0.02),
           "year": r.year(w, version, 0.8), "identifiers": {"openalex": wid}}
    if version == "pre" or w.venue is None:
        rec["venue"] = "arXiv (Cornell University)"
        rec["type"] = "preprint"
        if w.arxiv and rng.random() < 0.85:
            rec["doi"] = f"https://doi.org/10.48550/arxiv.{w.arxiv}"
        if w.arxiv and rng.random() < 0.5:
            rec["urls"] = [f"https://arxiv.org/abs/{w.arxiv}"]
    else:
        rec["venue"] = r.venue(w, "full")
        if rng.random() < 0.8:
            if w.volume:
                rec["volume"], rec["issue"] = w.volume, w.issue
            if w.pages:
                rec["pages"] = pages_text(w.pages, "full")
        rec["type"] = "article"
        if rng.random() < 0.9:
            rec["doi"] = "https://doi.org/" + w.doi.lower()
        if rng.random() < 0.6:
            rec["urls"] = [w.landing]
    if (a := r.abstract(w, 0.4)) is not None:
        rec["abstract"] = a
    return rec


def _dblp(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    key = r.dblp_key(w, version)
    rec = {"id": key, "title": r.title(w, version, typo_p=0.01, stop=True, drop_sub=0.03),
           "authors": r.authors(w, "full", drop_middle=0.1, homonym=True),
           "year": r.year(w, version, 0.0), "identifiers": {"dblp": key}}
    if version == "pre" or w.venue is None:
        rec.update(venue="CoRR", volume=f"abs/{w.arxiv}", type="article",
                   urls=[f"http://arxiv.org/abs/{w.arxiv}"])
        return rec
    rec["venue"] = r.venue(w, "dotted")
    if w.volume:
        rec["volume"] = w.volume
        if rng.random() < 0.8:
            rec["issue"] = w.issue
    if w.pages:
        rec["pages"] = pages_text(w.pages, "full")
    rec["type"] = "article" if w.venue.kind == "journal" else "inproceedings"
    if rng.random() < 0.85:
        rec["urls"] = [f"https://doi.org/{w.doi}"]
    return rec


def _semanticscholar(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    c = g.next_id("semanticscholar")
    sid = f"{(c * _K160 + g.salt) % (1 << 160):040x}"
    rec = {"id": sid, "title": r.title(w, "pub" if w.venue else "pre", typo_p=0.01,
                                       drop_sub=0.05),
           "authors": r.authors(w, "full", initials=0.25, strip=0.4),
           "year": r.year(w, "pub" if w.venue else "pre", 0.5),
           "identifiers": {"s2": sid}}
    if w.venue is None:
        rec["venue"] = "arXiv.org"
        rec["type"] = "JournalArticle"
    else:
        rec["venue"] = r.venue(w, "full" if rng.random() < 0.7 else "acronym")
        rec["type"] = "JournalArticle" if w.venue.kind == "journal" else "Conference"
        if w.doi and rng.random() < 0.7:
            rec["doi"] = w.doi
        if rng.random() < 0.5:
            if w.volume:
                rec["volume"] = w.volume
            if w.pages:
                rec["pages"] = " " + pages_text(w.pages, "full")
    if w.arxiv and rng.random() < 0.9:
        rec["arxiv"] = w.arxiv
    if w.domain == "cs" and rng.random() < 0.6 and (w.venue is not None or w.arxiv):
        rec["identifiers"]["dblp"] = r.dblp_key(w, "pub" if w.venue else "pre")
    if (a := r.abstract(w, 0.5)) is not None:
        rec["abstract"] = a
    return rec


def _core(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    cid = str(10_000_000 + (g.next_id("core") * 7919) % 90_000_000)
    t = r.title(w, version, typo_p=0.06, drop_sub=0.1,
                case="upper" if rng.random() < 0.05 else "")
    if rng.random() < 0.05:
        t = t.replace("fi", "\ufb01").replace("fl", "\ufb02")
    year = r.year(w, version, 0.3)
    if rng.random() < 0.08:
        year += rng.randint(1, 2)  # the year it was deposited
    rec = {"id": cid, "title": t,
           "authors": r.authors(w, "comma", moji=0.12, strip=0.05, initials=0.1),
           "year": year, "identifiers": {"core": cid},
           "urls": [f"https://core.ac.uk/download/pdf/{cid}.pdf"]}
    if w.doi and version == "pub" and rng.random() < 0.4:
        rec["doi"] = w.doi
    if w.arxiv and version == "pre" and rng.random() < 0.5:
        rec["arxiv"] = w.arxiv
    if w.venue and rng.random() < 0.3:
        rec["venue"] = r.venue(w, "full")
    if (a := r.abstract(w, 0.7)) is not None:
        rec["abstract"] = a
    return rec


def _scholar_archive(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    rid = "release_" + _digits(g.next_id("scholar-archive") * _K160 + g.salt, _B32, 26)
    t = r.title(w, version, typo_p=0.04, drop_sub=0.05,
                case="upper" if rng.random() < 0.2 else "")
    if version == "pre" and w.arxiv:
        orig = f"https://arxiv.org/pdf/{w.arxiv}v{rng.randint(1, w.arxiv_version)}.pdf"
    else:
        orig = w.landing or f"https://{w.domain}.example.org/{w.index}"
    year = r.year(w, version, 0.5)
    rec = {"id": rid, "title": t,
           "authors": r.authors(w, "full", moji=0.2, initials=0.1, strip=0.05),
           "year": year, "type": "article",
           "urls": [f"https://web.archive.org/web/{year + 1}0{1 + w.index % 9}01000000/{orig}"]}
    if w.doi and version == "pub" and rng.random() < 0.3:
        rec["doi"] = w.doi
    if w.venue and rng.random() < 0.3:
        rec["venue"] = r.venue(w, "full")
    return rec


def _pubmed(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    pmid = str(10_000_000 + (g.next_id("pubmed") * 104729) % 30_000_000)
    rec = {"id": pmid, "pmid": pmid,
           "title": r.title(w, typo_p=0.005, stop=True, bracket=True, drop_sub=0.02,
                            case="sentence" if rng.random() < 0.3 else ""),
           "authors": r.authors(w, "pubmed", drop_middle=0.1, moji=0.01),
           "year": r.year(w, version, 0.2), "venue": r.venue(w, "iso")}
    _add_place(rec, w, "short")
    if rng.random() < 0.8:
        rec["doi"] = w.doi
    if rng.random() < 0.15:
        rec["pmcid"] = f"PMC{1000000 + int(pmid) % 9000000}"
    rec["type"] = "Journal Article" if w.kind != "notice" else "Published Erratum"
    if (a := r.abstract(w, 0.8)) is not None:
        rec["abstract"] = a
    return rec


def _library(g: Generator, r: Render, w: Work, version: str) -> dict:
    rng = g.rng
    key = _digits(g.next_id("library") * 7919 * 104729 + g.salt, _KEYCHARS, 8)
    style = rng.choices(("embase", "bibtex", "comma"), (4, 3, 3))[0]
    rec = {"id": key,
           "title": r.title(w, typo_p=0.03, drop_sub=0.1, stop=rng.random() < 0.3,
                            case="title" if rng.random() < 0.1 else "", note=0.5),
           "authors": r.authors(w, style, moji=0.03, entities=0.05, etal=0.1,
                                initials=0.5 if style != "embase" else 0.0),
           "year": r.year(w, version, 0.1)}
    if rng.random() < 0.003:
        rec["year"] += rng.choice((-1, 1))
    if w.venue:
        rec["venue"] = r.venue(w, "iso" if rng.random() < 0.5 else "full")
        if w.volume and rng.random() < 0.85:
            rec["volume"], rec["issue"] = w.volume, w.issue
        if w.pages:
            rec["pages"] = pages_text(w.pages, rng.choice(("short", "full", "dash")))
        if w.venue.issn and rng.random() < 0.2:
            rec["issn"] = f"{w.venue.issn} (Print)\n{w.venue.issn} (Linking)"
    if w.doi and rng.random() < 0.6:
        rec["doi"] = f"http://dx.doi.org/{w.doi}" if rng.random() < 0.3 else w.doi
    if w.domain == "biomed" and rng.random() < 0.3:
        rec["urls"] = [f"https://www.ncbi.nlm.nih.gov/pubmed/{20_000_000 + w.index}"]
    rec["type"] = "inproceedings" if w.venue and w.venue.kind == "conference" else "article"
    if (a := r.abstract(w, 0.4)) is not None:
        rec["abstract"] = a
    return rec


RENDER = {"arxiv": _arxiv, "crossref": _crossref, "openalex": _openalex, "dblp": _dblp,
          "semanticscholar": _semanticscholar, "core": _core,
          "scholar-archive": _scholar_archive, "pubmed": _pubmed, "library": _library}


def generate(n_records: int, seed: int = 1) -> Iterator[tuple[str, dict, str]]:
    """``(source, record, cluster)`` for ``n_records`` records, work by work."""
    g = Generator(n_records, seed)
    r = Render(g)
    left = n_records
    while left > 0:
        for w in g.group():
            for source, version in g.choose_sources(w):
                if left <= 0:
                    return
                left -= 1
                yield source, RENDER[source](g, r, w, version), w.cluster


# --- files ------------------------------------------------------------------------------

def write_dataset(n_records: int, seed: int, out: Path) -> dict[str, int]:
    """Write ``out/<source>.jsonl`` (each in its own shuffled order) and
    ``out/gold.csv``; the number of records per source."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".buckets"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    k = max(1, min(64, n_records // SHUFFLE_BUCKET))
    pick = random.Random(f"{seed}:buckets")
    handles: dict[str, list] = {}
    counts = dict.fromkeys(SOURCES, 0)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    try:
        with (out / "gold.csv").open("w", encoding="utf-8", newline="") as gf:
            gold = csv.writer(gf, lineterminator="\n")
            gold.writerow(("source", "record_id", "cluster"))
            for source, rec, cluster in generate(n_records, seed):
                files = handles.get(source)
                if files is None:
                    files = handles[source] = [
                        (tmp / f"{source}.{i}").open("w", encoding="utf-8") for i in range(k)]
                files[int(pick.random() * k)].write(dumps(rec) + "\n")
                gold.writerow((source, rec["id"], cluster))
                counts[source] += 1
    finally:
        for files in handles.values():
            for fh in files:
                fh.close()
    for source in SOURCES:
        path = out / f"{source}.jsonl"
        path.unlink(missing_ok=True)
        if not counts[source]:
            continue
        with path.open("w", encoding="utf-8") as fo:
            for i in range(k):
                lines = (tmp / f"{source}.{i}").read_text(encoding="utf-8").splitlines(True)
                random.Random(f"{seed}:{source}:{i}").shuffle(lines)
                fo.writelines(lines)
    shutil.rmtree(tmp)
    return {s: n for s, n in counts.items() if n}


# --- citation mode: reference-list citations parsed into fields ----------------------------
#
# One source, ``citations``: each record is one entry of a paper's reference list, split into
# fields by a citation parser, the way held-out citation sets are kept.  Lower case, punctuation
# left around every field, titles in quotes, ``(1992),``, ``pp. 322-331.``, ``in proc. 36th
# annual symposium on ..., milwaukee, wi, 1995,``, initials-first author lists joined with
# ``and``, ``et al.`` and silently cut lists, words broken by the PDF's hyphenation, mojibake,
# missing and impossible years, a publisher or edition glued onto a book's title, a field
# boundary put a few words off by the parser.  Citations per work follow a Zipf-like law (1 to
# 60: most works cited once or twice, a few dozens of times), and a fifth of the citations copy
# an earlier citation of the same work word for word (a reference list copied from another
# paper's).  Look-alike works are different works in the gold: the parts of a series, a
# conference paper and its journal version (other year and venue, often the same title), a
# follow-up with one word changed.  Each messy shape is a small function of its own below.

CITATION_SOURCE = "citations"
CITATION_DOMAIN_WEIGHTS = {"cs": 0.7, "biomed": 0.1, "physics": 0.1, "social": 0.1}
MAX_CITATIONS = 60
# P(k citations) ~ k^-1.5 for k = 1..60: 42% cited once, 4.5% 30 times or more, mean ~6.
_CITES_CUM = list(accumulate(k ** -1.5 for k in range(1, MAX_CITATIONS + 1)))
# Look-alike groups per group drawn (the rest are single works).
CITATION_GROUPS = (("series", 0.03), ("versions", 0.06), ("followup", 0.03), ("book", 0.06))
_CITATION_GROUP_CUM = list(accumulate(p for _, p in CITATION_GROUPS))
COPY_SHARE = 0.2  # citations that copy an earlier citation of the work word for word
_PLACES = ("milwaukee, wi", "san francisco, ca", "seattle, wa", "boston, ma", "new york, ny",
           "austin, tx", "pittsburgh, pa", "montreal, canada", "vancouver, bc", "berlin, germany",
           "paris, france", "kyoto, japan", "amsterdam, the netherlands", "sydney, australia",
           "edinburgh, scotland", "tahoe city, ca", "madison, wi", "atlanta, ga",
           "las vegas, nv", "lisbon, portugal", "washington, dc", "san diego, ca")
_MONTHS = ("january february march april may june july august september october november "
           "december").split()
_BOOK_PUBLISHERS = (("addison-wesley", "reading, ma"), ("mit press", "cambridge, ma"),
                    ("springer-verlag", "berlin"), ("morgan kaufmann", "san mateo, ca"),
                    ("prentice hall", "englewood cliffs, nj"),
                    ("cambridge university press", "cambridge, uk"),
                    ("oxford university press", "oxford"), ("john wiley & sons", "new york"),
                    ("academic press", "new york"), ("north-holland", "amsterdam"),
                    ("mcgraw-hill", "new york"), ("w. h. freeman", "san francisco"))
_EDITIONS = ("2nd edition", "second edition", "2nd ed.", "3rd edition", "third edition",
             "revised edition")
_VENUE_WORDS = {"proceedings": "proc.", "international": "intl.", "conference": "conf.",
                "symposium": "symp.", "annual": "annu.", "workshop": "wkshp.",
                "journal": "j.", "transactions": "trans.", "european": "eur.",
                "american": "am.", "computer": "comput.", "computing": "comput.",
                "science": "sci.", "systems": "syst.", "information": "inform.",
                "intelligence": "intell.", "learning": "learn.", "research": "res.",
                "letters": "lett.", "advances": "adv.", "engineering": "eng."}


@dataclass(slots=True)
class CitedWork:
    """A work as reference lists cite it: the work, for a book its publisher, and the
    kind of look-alike group it was made in (``work`` if none)."""

    work: Work
    publisher: tuple[str, str] | None = None  # (name, place)
    edition: str = ""
    group: str = "work"


# -- the messy shapes, one small function each


def initials_first(p: Person, dots: bool = True, middle: bool = True) -> str:
    """``("Jones", "Alice", "B")`` -> ``a. b. jones`` (``a b jones`` without dots)."""
    family, given, mid = p
    inits = [x[0] for x in given.replace("-", " ").split()] + ([mid] if mid and middle else [])
    sep = ". " if dots else " "
    return (sep.join(inits) + sep + family).lower() if inits else family.lower()


def family_first(p: Person) -> str:
    """``("Jones", "Alice", "B")`` -> ``jones, a. b.``"""
    family, given, mid = p
    inits = [x[0] for x in given.replace("-", " ").split()] + ([mid] if mid else [])
    return f"{family}, {'. '.join(inits)}.".lower()


def full_name(p: Person) -> str:
    """``("Jones", "Alice", "B")`` -> ``alice b. jones``"""
    family, given, mid = p
    return f"{given} {mid + '. ' if mid else ''}{family}".lower()


def join_authors(names: list[str], style: str) -> str:
    """``and``: ``a and b``, ``a, b and c``; ``oxford``: ``a, b, and c``;
    ``comma``: ``a, b, c``."""
    if style == "comma" or len(names) < 2:
        return ", ".join(names)
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + ("," if style == "oxford" else "") + " and " + names[-1]


def et_al(names: list[str], keep: int) -> str:
    """The first ``keep`` names, then ``et al.``: ``j. smith et al.``,
    ``j. smith, a. jones, et al.``"""
    return ", ".join(names[:keep]) + ("," if keep > 1 else "") + " et al."


def cut_authors(names: list[str], keep: int) -> list[str]:
    """The list cut after ``keep`` names without a mark (a parser that lost the rest)."""
    return names[:max(1, keep)]


def quote_title(title: str, inside: bool = True) -> str:
    """``"a title,"`` (the comma inside the quotes, US style) or ``"a title",``."""
    return f'"{title},"' if inside else f'"{title}",'


def punctuate(text: str, mark: str = ",") -> str:
    """``text`` followed by ``mark`` unless it already ends with punctuation."""
    return text if not text or text[-1] in ".,;:?!" else text + mark


def year_text(year: int, style: str) -> str:
    """``paren``: ``(1992),``; ``paren-stop``: ``(1992).``; ``stop``: ``1992.``;
    ``comma``: ``1992,``."""
    return {"paren": f"({year}),", "paren-stop": f"({year}).", "stop": f"{year}.",
            "comma": f"{year},"}[style]


def impossible_year(year: int, kind: str) -> str:
    """A year no reader can use: ``short`` ``(199),``, ``long`` ``(19922),``,
    ``future`` ``(2992),``, ``press`` ``(in press),``, ``nd`` ``(n.d.),``."""
    y = str(year)
    return {"short": f"({y[:3]}),", "long": f"({y[:3]}{y[2:]}),",
            "future": f"({year + 1000}),", "press": "(in press),", "nd": "(n.d.),"}[kind]


def pages_cite(pages: tuple[int, int], style: str) -> str:
    """``pp``: ``pp. 322-331.``; ``dashes``: ``322--331,``; ``word``: ``pages 322-331,``;
    ``first``: ``p. 322.``; ``short``: ``322-31,``."""
    a, b = pages
    match style:
        case "pp":
            return f"pp. {a}-{b}."
        case "dashes":
            return f"{a}--{b},"
        case "word":
            return f"pages {a}-{b},"
        case "first":
            return f"p. {a}."
    return pages_text(pages, "short") + ","


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``36th``."""
    th = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{th}"


def abbreviate_venue(name: str) -> str:
    """Words abbreviated as reference lists do (``proceedings`` -> ``proc.``,
    ``international`` -> ``intl.``); ``of``/``on``/``the`` kept."""
    return " ".join(_VENUE_WORDS.get(w, w) for w in name.lower().split())


def proceedings_venue(v: Venue, year: int, place: str, form: int) -> str:
    """A conference as a citation names it, with its ordinal, place and year:
    0 ``in proc. 36th annual symp. on ..., milwaukee, wi, 1995,``;
    1 ``in proceedings of the 36th ... (focs'95), milwaukee, wi, october 1995,``;
    2 ``in proc. focs,``; 3 ``... conference on ..., pages`` (the parser's cut)."""
    n = ordinal(max(1, year - v.founded + 1))
    full = v.full.lower()
    acr = v.acronym.lower()
    month = _MONTHS[(hash_str(v.full) + year) % 12]
    if form == 0:
        return f"in proc. {n} {abbreviate_venue(full)}, {place}, {year},"
    if form == 1:
        return f"in proceedings of the {n} {full} ({acr}'{year % 100:02d}), {place}, " \
               f"{month} {year},"
    if form == 2:
        return f"in proc. {acr},"
    return f"in {full}, pages"


def journal_venue(v: Venue, form: str) -> str:
    """A journal by its ``full`` name, ``dotted`` (dblp) or ``iso`` abbreviation, or with
    our own word ``abbrev``iations; lower case, a comma after."""
    name = {"full": v.full, "dotted": v.dotted, "iso": v.iso}.get(form) or v.full
    return punctuate(abbreviate_venue(name) if form == "abbrev" else name.lower())


def glue_volume(venue: str, volume: str, issue: str) -> str:
    """The volume and issue left in the venue field: ``j. acm, 42(6):``."""
    return f"{venue.rstrip(',')} {volume}({issue}):" if issue else f"{venue.rstrip(',')} {volume}:"


def hyphen_break(text: str, rng: random.Random) -> str:
    """A word of seven letters or more broken where the PDF hyphenated it:
    ``formu lae``, ``algo- rithms``, ``algo-rithms``."""
    words = text.split(" ")
    long_ = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_:
        return text
    i = rng.choice(long_)
    w = words[i]
    j = rng.randint(3, len(w) - 3)
    words[i] = w[:j] + rng.choice((" ", "- ", "-")) + w[j:]
    return " ".join(words)


def glue_publisher(title: str, publisher: str, edition: str) -> str:
    """A book's publisher or edition run onto its title: ``the art of computer
    programming, 2nd edition`` or ``... programming. addison-wesley``."""
    return f"{title}, {edition}" if edition else f"{title}. {publisher}"


def shift_boundary(left: str, right: str, k: int) -> tuple[str, str]:
    """The parser put the boundary between two fields ``k`` words too early
    (``k > 0``: the last words of ``left`` begin ``right``) or too late
    (``k < 0``: the first words of ``right`` end ``left``); neither is left empty."""
    lw, rw = left.split(" "), right.split(" ")
    if k > 0:
        k = min(k, len(lw) - 1)
        return " ".join(lw[:len(lw) - k]), " ".join(lw[len(lw) - k:] + rw)
    k = min(-k, len(rw) - 1)
    return " ".join(lw + rw[:k]), " ".join(rw[k:])


def arxiv_venue(arxiv: str, form: int) -> str:
    """A preprint's venue: ``arxiv preprint arxiv:1703.01234,``, ``corr, abs/1703.01234,``
    or ``arxiv,``."""
    return (f"arxiv preprint arxiv:{arxiv},", f"corr, abs/{arxiv},", "arxiv,")[form % 3]


# -- works and their citations


def citation_count(rng: random.Random) -> int:
    """How many citations a work has: 1..60, P(k) ~ k^-1.5."""
    return 1 + bisect.bisect(_CITES_CUM, rng.random() * _CITES_CUM[-1])


def _venue_of_kind(g: Generator, domain: str, kind: str) -> Venue:
    for _ in range(200):
        v = g.pick_venue(domain)
        if v.kind == kind:
            return v
    return v


def citation_group(g: Generator) -> list[CitedWork]:
    """One work, or a group of look-alike works (different works in the gold)."""
    rng = g.rng
    kind = (*(k for k, _ in CITATION_GROUPS), "work")[
        bisect.bisect(_CITATION_GROUP_CUM, rng.random())]
    domains = list(CITATION_DOMAIN_WEIGHTS)
    domain = rng.choices(domains, weights=list(CITATION_DOMAIN_WEIGHTS.values()))[0]
    if kind == "work":
        return [CitedWork(g.new_work(domain))]
    base = g.new_work(domain, published=True)
    if kind == "series":
        return [CitedWork(w, group=kind) for w in g.series(base)]
    if kind == "followup":
        return [CitedWork(base, group=kind), CitedWork(g.followup(base), group=kind)]
    if kind == "book":
        base.kind, base.venue, base.volume, base.issue, base.pages = "book", None, "", "", None
        base.arxiv, base.doi, base.subtitle = "", "", ""
        edition = rng.choice(_EDITIONS) if rng.random() < 0.3 else ""
        return [CitedWork(base, rng.choice(_BOOK_PUBLISHERS), edition, kind)]
    # versions: a conference paper and, one to three years later, its journal version
    # (the same authors, often the same title, another venue)
    g.date(base, min(base.year, 2021))
    base.volume = base.issue = ""
    g.publish(base, _venue_of_kind(g, domain, "conference"), "conference")
    j = g.new_work(domain, published=True)
    j.title, j.subtitle = g.retitle(base) if rng.random() < 0.5 else (base.title, base.subtitle)
    j.special, j.lang, j.preprint_title = base.special, "", None
    j.authors = base.authors + ([g.person(rng.randrange(g.persons))] if rng.random() < 0.3
                                else [])
    g.date(j, base.year + rng.randint(1, 3))
    g.publish(j, _venue_of_kind(g, domain, "journal"), "journal")
    return [CitedWork(base, group=kind), CitedWork(j, group=kind)]


def cite_authors(rng: random.Random, people: list[Person]) -> str:
    """The author field of one citation."""
    style = rng.choices(("initials", "nodots", "family", "full"), (60, 10, 20, 10))[0]
    drop_middle = rng.random() < 0.3
    ps = [(f, gv, "" if drop_middle else m) for f, gv, m in people]
    if rng.random() < 0.5:
        ps = [(strip_accents(f), strip_accents(gv), m) for f, gv, m in ps]
    if style == "initials":
        names = [initials_first(p) for p in ps]
    elif style == "nodots":
        names = [initials_first(p, dots=False) for p in ps]
    elif style == "family":
        names = [family_first(p) for p in ps]
    else:
        names = [full_name(p) for p in ps]
    if rng.random() < 0.02:  # a misspelt name
        i = rng.randrange(len(names))
        names[i] = typo(names[i], rng)
    r = rng.random()
    if len(names) > 3 and r < 0.4:
        text = et_al(names, rng.randint(1, 3))
    else:
        if len(names) > 2 and r < 0.5:
            names = cut_authors(names, rng.randint(1, len(names) - 1))
        text = join_authors(names, "comma" if style == "family" else
                            rng.choice(("and", "and", "oxford")))
    if rng.random() < 0.06:
        text = mojibake(text).lower()  # (the set is lower-cased after the text was broken)
    return punctuate(text, rng.choice((",", ".")))


def cite_title(rng: random.Random, r: Render, cw: CitedWork) -> str:
    """The title field of one citation."""
    w = cw.work
    t = r.title(w, "pre" if w.kind == "preprint" else "pub", drop_sub=0.2, typo_p=0.04)
    t = t.replace("\n  ", " ").lower()
    if rng.random() < 0.08:
        t = hyphen_break(t, rng)
    if cw.publisher and rng.random() < 0.5:
        t = glue_publisher(t, cw.publisher[0], cw.edition)
    if rng.random() < 0.03 and not t.isascii():
        t = mojibake(t).lower()
    if rng.random() < 0.6:
        return quote_title(t, inside=rng.random() < 0.7)
    return punctuate(t, rng.choice((".", ",")))


def cite_year(rng: random.Random, w: Work) -> str | None:
    """The year field of one citation: missing, impossible, a year off, or as printed."""
    r = rng.random()
    if r < 0.06:
        return None
    if r < 0.09:
        return impossible_year(w.year, rng.choice(("short", "long", "future", "press", "nd")))
    year = w.year + (rng.choice((-1, 1)) if r < 0.14 else 0)
    return year_text(year, rng.choices(("paren", "paren-stop", "stop", "comma"),
                                       (5, 1, 3, 2))[0])


def cite_work(rng: random.Random, r: Render, cw: CitedWork) -> dict:
    """One citation of a work, parsed into fields (without its id)."""
    w = cw.work
    rec: dict = {}
    if w.authors and rng.random() < 0.98:
        rec["authors"] = cite_authors(rng, w.authors)
    rec["title"] = cite_title(rng, r, cw)
    v = w.venue
    venue = ""
    if cw.publisher:
        name, place = cw.publisher
        venue = f"{name}, {place}," if rng.random() < 0.6 else f"{name},"
    elif v is None and w.arxiv:
        venue = arxiv_venue(w.arxiv, rng.randrange(3))
    elif v is not None and v.kind == "conference":
        venue = proceedings_venue(v, w.year, rng.choice(_PLACES), rng.choices(
            range(4), (5, 3, 2, 1))[0])
    elif v is not None:
        venue = journal_venue(v, rng.choice(("full", "dotted", "iso", "abbrev")))
        if w.volume and rng.random() < 0.6:
            if rng.random() < 0.3:
                venue = glue_volume(venue, w.volume, w.issue if rng.random() < 0.6 else "")
            else:
                rec["volume"] = rng.choice((f"vol. {w.volume},", f"{w.volume},", w.volume))
                if w.issue and rng.random() < 0.5:
                    rec["issue"] = rng.choice((f"no. {w.issue},", f"({w.issue}):"))
    if venue and rng.random() < 0.9:
        rec["venue"] = venue
    if w.pages and rng.random() < 0.6:
        rec["pages"] = pages_cite(w.pages, rng.choices(
            ("pp", "dashes", "word", "first", "short"), (5, 2, 2, 1, 1))[0])
    if (year := cite_year(rng, w)) is not None:
        rec["year"] = year
    return misparse(rng, rec)


def misparse(rng: random.Random, rec: dict) -> dict:
    """A field boundary misplaced by the parser, in 4% of citations between the
    authors and the title, in 6% between the title and the venue."""
    for left, right, p in (("authors", "title", 0.04), ("title", "venue", 0.06)):
        if left in rec and right in rec and rng.random() < p:
            k = rng.choice((-2, -1, 1, 2, 3))
            rec[left], rec[right] = shift_boundary(rec[left], rec[right], k)
    return rec


def citation_records(n_works: int, seed: int = 1) -> tuple[list[dict], dict[str, str]]:
    """Citations of ``n_works`` works in kg-resolve's record shape, in a shuffled order
    with ids ``c000001``..., and the gold work of each record id."""
    g = Generator(max(n_works, 1) * 2, seed)
    r = Render(g)
    rng = g.rng
    works: list[CitedWork] = []
    while len(works) < n_works:
        works.extend(citation_group(g))
    cited: list[tuple[dict, str]] = []
    for cw in works[:n_works]:
        mine: list[dict] = []
        for _ in range(citation_count(rng)):
            rec = dict(rng.choice(mine)) if mine and rng.random() < COPY_SHARE else \
                cite_work(rng, r, cw)
            mine.append(rec)
            cited.append((rec, cw.work.cluster))
    rng.shuffle(cited)
    records: list[dict] = []
    gold: dict[str, str] = {}
    for i, (rec, cluster) in enumerate(cited, 1):
        rid = f"c{i:06d}"
        records.append({"id": rid, **rec})
        gold[rid] = cluster
    return records, gold


def write_citations(n_works: int, seed: int, out: Path) -> int:
    """Write ``out/citations.jsonl`` and ``out/gold.csv``; the number of records."""
    records, gold = citation_records(n_works, seed)
    out.mkdir(parents=True, exist_ok=True)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with (out / f"{CITATION_SOURCE}.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(dumps(rec) + "\n" for rec in records)
    with (out / "gold.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("source", "record_id", "cluster"))
        w.writerows((CITATION_SOURCE, rid, cluster) for rid, cluster in gold.items())
    return len(records)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["citations"]:
        citations_main(argv[1:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="python benchmarks/synthetic.py citations --help: "
                                        "the citation-style mode")
    ap.add_argument("--records", type=int, required=True, help="how many records in all")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="directory to write")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = write_dataset(args.records, args.seed, args.out)
    took = time.perf_counter() - t0
    print(f"{sum(counts.values()):,} records in {took:.1f} s to {args.out}: "
          + ", ".join(f"{s} {n:,}" for s, n in counts.items()), file=sys.stderr)


def citations_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(
        prog="synthetic.py citations",
        description="Reference-list citations parsed into fields, with gold works: writes "
                    f"DIR/{CITATION_SOURCE}.jsonl and DIR/gold.csv.")
    ap.add_argument("--works", type=int, required=True, help="how many works are cited")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="directory to write")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    n = write_citations(args.works, args.seed, args.out)
    print(f"{n:,} citations of {args.works:,} works in {time.perf_counter() - t0:.1f} s "
          f"to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
