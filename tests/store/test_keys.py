import math

import pytest

from cybench.store.keys import artifact_key, canonical_json, digest_json, split_key

PARAMS = {
    "seed": 7,
    "template": "zero-shot",
    "sizes": [1, 2, 3],
    "nested": {"a": 1, "b": 2},
}
INPUTS = {"raw": "sha256:" + "a" * 64}


def key(step="prep", kind="samples", version=1, params=PARAMS, inputs=INPUTS):
    return artifact_key(step, kind, version, params, inputs)


def test_key_ignores_dict_order():
    reordered = {
        "nested": {"b": 2, "a": 1},
        "sizes": [1, 2, 3],
        "template": "zero-shot",
        "seed": 7,
    }
    assert key(params=reordered) == key()


def test_key_is_algorithm_tagged():
    assert split_key(key())[0] == "sha256"


@pytest.mark.parametrize(
    "change",
    [
        {"step": "infer"},
        {"kind": "prompts"},
        {"version": 2},
        {"params": {**PARAMS, "seed": 8}},
        {"params": {**PARAMS, "sizes": [1, 3, 2]}},
        {"params": {**PARAMS, "nested": {"a": 1, "b": 3}}},
        {"params": {**PARAMS, "extra": None}},
        {"inputs": {"raw": "sha256:" + "b" * 64}},
        {"inputs": {"other": "sha256:" + "a" * 64}},
    ],
)
def test_key_changes_with_any_identity_field(change):
    assert key(**change) != key()


def test_canonical_json_is_compact_and_sorted():
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()


@pytest.mark.parametrize("value", [math.nan, math.inf, {1, 2}, object(), {1: "x"}])
def test_canonical_json_rejects_non_json(value):
    with pytest.raises(TypeError):
        canonical_json({"v": value})


def test_int_and_float_digest_differently():
    assert digest_json({"v": 1}) != digest_json({"v": 1.0})
