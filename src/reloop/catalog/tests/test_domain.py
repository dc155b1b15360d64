from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from reloop.catalog.domain import variant_axes


@dataclass
class V:
    slug: str
    values: dict = field(default_factory=dict)

    def axis_values(self):
        return self.values


VARIANTS = [
    V("128-black", {"storage_gb": 128, "colour": "Black"}),
    V("128-blue", {"storage_gb": 128, "colour": "Blue"}),
    V("256-black", {"storage_gb": 256, "colour": "Black"}),
    V("512-red", {"storage_gb": 512, "colour": "Red"}),
]


def test_each_value_leads_to_the_variant_that_keeps_the_other_choices():
    axes = {a.name: a for a in variant_axes(VARIANTS, VARIANTS[1])}  # 128 GB blue
    storage = {c.value: c for c in axes["storage_gb"].choices}
    colour = {c.value: c for c in axes["colour"].choices}

    assert (storage[128].selected, storage[128].target_slug) == (True, "128-blue")
    # no 256 GB blue: the closest 256 GB variant, flagged as not an exact swap
    assert (storage[256].target_slug, storage[256].exact) == ("256-black", False)
    assert (colour["Black"].target_slug, colour["Black"].exact) == ("128-black", True)
    assert (colour["Red"].target_slug, colour["Red"].exact) == ("512-red", False)


def test_axes_with_a_single_value_are_not_offered():
    variants = [V("a", {"storage_gb": None, "colour": "Black"}), V("b", {"storage_gb": None, "colour": "White"})]
    assert [a.name for a in variant_axes(variants, variants[0])] == ["colour"]


def test_axes_keep_the_order_they_first_appear_in_and_values_their_order():
    axes = variant_axes(VARIANTS, VARIANTS[0])
    assert [a.name for a in axes] == ["storage_gb", "colour"]
    assert [c.value for c in axes[0].choices] == [128, 256, 512]


def test_unknown_axis_value_is_a_programming_error():
    from reloop.catalog.domain import _closest

    with pytest.raises(ValueError, match="No variant has colour='Gold'"):
        _closest(VARIANTS, {}, "colour", "Gold")
