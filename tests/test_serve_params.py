"""``--param`` binding (kg.queries.bind_params): every parameter in one pass.

Issue 20: values were substituted one after another, so a value naming another
parameter (``a=?b``) was substituted again, unquoted, as that parameter's value.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.queries import QueryError, bind_params, result_rows, run_query


def test_a_value_naming_another_parameter_stays_a_literal():
    text = bind_params("SELECT ?s WHERE { ?s ?p ?a . ?s ?q ?b }", {"a": "?b", "b": "x"})
    assert text == 'SELECT ?s WHERE { ?s ?p "?b" . ?s ?q "x" }'
    # the other order of the parameters binds the same
    assert bind_params("SELECT ?s WHERE { ?s ?p ?a . ?s ?q ?b }", {"b": "x", "a": "?b"}) == text


def test_a_value_naming_a_key_variable_stays_a_literal():
    text = bind_params("SELECT ?s WHERE { ?s ?p ?a . ?s ?k ?b_key ; ?n ?b }",
                       {"a": "$b_key", "b": "Šimko"})
    assert text == 'SELECT ?s WHERE { ?s ?p "$b_key" . ?s ?k "simko" ; ?n "Šimko" }'


def test_projected_parameters_are_bound_once():
    text = bind_params("SELECT ?a ?b WHERE { ?s ?p ?a }", {"a": "?b", "b": "<http://ex/b>"})
    assert text == 'SELECT ("?b" AS ?a) (<http://ex/b> AS ?b) WHERE { ?s ?p "?b" }'


def test_variable_names_are_case_sensitive():
    assert bind_params("SELECT ?A WHERE { ?A ?p ?a }", {"a": "x"}) == \
        'SELECT ?A WHERE { ?A ?p "x" }'
    with pytest.raises(QueryError, match="not a variable"):
        bind_params("SELECT ?A WHERE { ?A ?p ?o }", {"a": "x"})


def test_a_prefix_of_another_parameter_name_is_not_confused():
    text = bind_params("SELECT * WHERE { ?s ?ab ?a }", {"a": "1", "ab": "<http://ex/p>"})
    assert text == 'SELECT * WHERE { ?s <http://ex/p> "1" }'


def test_crossed_parameters_give_the_right_rows():
    store = Store()
    store.update('INSERT DATA { <http://ex/s> <http://ex/p> "?b" ; <http://ex/q> "x" . '
                 '<http://ex/t> <http://ex/p> "x" ; <http://ex/q> "x" }')
    q = "SELECT ?s WHERE { ?s <http://ex/p> ?a ; <http://ex/q> ?b }"
    _, rows = result_rows(run_query(store, q, {"a": "?b", "b": "x"}))
    assert rows == [["http://ex/s"]]  # substituting twice would have found ex:t
