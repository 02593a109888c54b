"""People's decisions as must-link / cannot-link constraints of a resolution
(resolve.constraints.HumanConstraints, applied by resolve.cluster)."""

from __future__ import annotations

from conftest import make_record

from resolve.constraints import HUMAN, HumanConstraints, human_links
from resolve.pipeline import resolve_records
from resolve.settings import Settings
from resolve.types import Record

HE = ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
RESNET = "Deep residual learning for image recognition"


def _works(records: list[Record], human: HumanConstraints | None = None,
           settings: Settings | None = None) -> set[frozenset[str]]:
    res = resolve_records(records, settings or Settings(), human=human)
    return {frozenset(records[i].record_id for i in w.members) for w in res.works}


def _ids(*groups: str) -> set[frozenset[str]]:
    return {frozenset(g.split()) for g in groups}


def _chain() -> list[Record]:
    """a ~ m ~ b: a and b are alike only through m (their titles differ in a
    word, each close enough to m's to be joined)."""
    return [
        make_record(source="s", id="a", title=RESNET, authors=HE, year=2016,
                    venue="CVPR", doi="10.1109/cvpr.2016.90"),
        make_record(source="s", id="m", title=RESNET, authors=HE, year=2016, venue="CVPR"),
        make_record(source="s", id="b", title=RESNET + " revisited", authors=HE, year=2016),
    ]


def key(rid: str) -> tuple[str, str]:
    return ("s", rid)


def test_different_holds_against_a_chain() -> None:
    records = _chain()
    assert _works(records) == _ids("a m b")
    human = HumanConstraints(different=((key("a"), key("b")),))
    works = _works(records, human)
    assert not any({"a", "b"} <= w for w in works)
    assert sum(len(w) for w in works) == 3
    res = resolve_records(records, Settings(), human=human)
    vetoes = {(records[d.a].record_id, records[d.b].record_id): d.vetoed_by
              for d in res.decisions()}
    if ("a", "b") in vetoes:  # scored while completing the cluster
        assert vetoes["a", "b"] in (HUMAN, None)


def test_same_joins_two_works_and_overrules_a_rule() -> None:
    records = [
        make_record(source="s", id="x", title=RESNET, authors=HE, year=2016),
        make_record(source="s", id="y", title=RESNET, authors=HE, year=2016),
        make_record(source="s", id="z", title="A survey of graph databases",
                    authors=["Renzo Angles"], year=2008),
    ]
    clean = Settings(clean_sources=("s",))  # no two records of s in a work ...
    assert _works(records, settings=clean) == _ids("x", "y", "z")
    same = HumanConstraints(same=((key("x"), key("y")),))  # ... but a person says so
    assert _works(records, same, clean) == _ids("x y", "z")
    # unlike records too (a person knows better): the two works become one
    assert _works(records) == _ids("x y", "z")
    assert _works(records, HumanConstraints(same=((key("x"), key("z")),))) == _ids("x y z")


def test_same_and_different_together() -> None:
    records = _chain()
    human = HumanConstraints(same=((key("b"), key("m")),), different=((key("a"), key("m")),))
    assert _works(records, human) == _ids("a", "m b")


def test_decisions_not_applied_say_why() -> None:
    records = _chain()
    human = HumanConstraints(
        same=((key("a"), key("m")), (key("m"), key("b")), (key("a"), ("s", "gone"))),
        different=((key("a"), key("b")),))
    links, skipped = human_links(records, human)
    assert links.same == ((0, 1),)
    assert links.different == frozenset({(0, 2)})
    reasons = dict(skipped)
    assert reasons[key("m"), key("b")] == "contradicts a 'different' decision"
    assert "no record s:gone" in reasons[key("a"), ("s", "gone")]
    assert _works(records, human) == _ids("a m", "b")


def test_no_decisions_change_nothing() -> None:
    records = _chain()
    assert _works(records, HumanConstraints()) == _works(records)


def test_a_partner_as_good_as_another_is_a_tie() -> None:
    """Three copies of one record, two of them said to differ: the third is as
    good a partner for either, so it joins neither, and the decisions say so."""
    records = [make_record(source="s", id=f"c{i}", title=RESNET, authors=HE, year=2016)
               for i in range(3)]
    human = HumanConstraints(different=((key("c0"), key("c2")),))
    res = resolve_records(records, Settings(), human=human)
    assert len(res.works) == 3
    vetoes = {(d.a, d.b): d.vetoed_by for d in res.decisions()}
    assert vetoes == {(0, 1): "tie", (0, 2): HUMAN, (1, 2): "tie"}
    assert res.clustering.ties == [(0, 1), (1, 2)]
