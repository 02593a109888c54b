"""One typed, JSON round-trippable spec that drives a resolution run.

It is saved with every build so a result can be reproduced.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Settings:
    # Blocking: how many records one blocking key may pair exhaustively; a
    # larger block is paired only within a sliding window over its records
    # sorted by title, so candidate generation stays near-linear.
    block_cap: int = 40
    block_window: int = 8
    # How many of a record's rarest title tokens become blocking keys (as pairs).
    rare_tokens: int = 4
    # A pair proposed only by title words or authors is dropped before
    # scoring when its titles are less alike than this (the title comparison's
    # "unrelated" level); pairs that share an identifier or URL, or a volume
    # and first page, are always kept.  0 keeps every pair.
    min_title_similarity: float = 0.6
    # ... but every k-th of them (at most this many) is still compared and
    # counts k times in EM estimation, so the weights are learnt from the
    # candidate pairs as blocking proposed them.
    em_hopeless_sample: int = 20_000
    # Scoring: log2 prior odds that a candidate pair is a match; joining two
    # records asks for -prior bits of evidence (estimated weights or not).
    prior: float = -8.0
    # Estimate the weights from the candidate pairs by EM (resolve.estimate),
    # starting from and shrunk towards the hand-set weights by this many
    # pseudo-pairs; with fewer candidate pairs than em_min_pairs, the
    # hand-set weights are used as they are.
    estimate_weights: bool = True
    em_prior_pairs: float = 100.0
    em_min_pairs: int = 200
    em_iterations: int = 50
    em_tolerance: float = 0.001
    # A pair whose match probability reaches this becomes a clustering edge.
    match_threshold: float = 0.5
    # Clustering: components that are not cliques are completed and go
    # through Louvain community detection with this resolution (false: plain
    # connected components, hard constraints still applied).
    community_detection: bool = True
    community_resolution: float = 1.0
    # Parts the community step found stay apart only if fewer than this share
    # of the record pairs across them are match edges, relative to the share
    # within the sparser part (resolve.cluster.rejoin).
    min_bridge_density: float = 0.5
    # Parts of a completed component are joined again when the median log2
    # odds of the pairs across them is at least this (at least half the
    # evidence a match needs: copies split by structure alone) and no pair
    # across has a level a rule names against it (resolve.cluster._rejoin_copies).
    max_seam_log2_odds: float = -4.0
    seed: int = 42
    # Two different DOIs of the same kind keep two records apart unless their
    # match probability reaches this (overwhelming other evidence).
    doi_conflict_override: float = 0.9
    # Sources declared free of internal duplicates (like two clean tables to
    # link): no work gets two records of one of them.
    clean_sources: tuple[str, ...] = ()
    # Log2 odds added to a pair that links two different clean sources: a
    # record there has at most one match among its few candidates.
    clean_source_bonus: float = 4.0
    # ... and this many more when the two records are each other's clear
    # best candidate there (odds at least twice either's runner-up).
    clean_best_bonus: float = 4.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        if "clean_sources" in data:
            data["clean_sources"] = tuple(data["clean_sources"])
        return cls(**data)
