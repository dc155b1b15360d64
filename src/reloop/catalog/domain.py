"""Pure catalogue rules: the variant picker's axes and which variant a click on an axis value leads to."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class HasAxes(Protocol):
    slug: str

    def axis_values(self) -> Mapping[str, Hashable]: ...


@dataclass(frozen=True)
class AxisChoice:
    value: Hashable
    target_slug: str  # the variant this choice leads to
    selected: bool
    exact: bool  # False when other axes had to change to reach a variant with this value


@dataclass(frozen=True)
class Axis:
    name: str
    choices: list[AxisChoice]


def variant_axes(variants: Sequence[HasAxes], current: HasAxes) -> list[Axis]:
    """The picker: for each axis with more than one value, every value and the variant it leads to.

    A value leads to the variant that has it and shares the most other axis values with ``current`` (ties go to
    the earlier variant, so the result is deterministic). Axes keep the order of first appearance.
    """
    current_values = current.axis_values()
    names: list[str] = []
    for v in variants:
        for name in v.axis_values():
            if name not in names:
                names.append(name)
    axes: list[Axis] = []
    for name in names:
        values: list[Hashable] = []
        for v in variants:
            value = v.axis_values().get(name)
            if value is not None and value not in values:
                values.append(value)
        if len(values) < 2:
            continue
        choices = []
        for value in values:
            target = _closest(variants, current_values, name, value)
            shared = _shared(target.axis_values(), current_values, skip=name)
            choices.append(
                AxisChoice(
                    value=value,
                    target_slug=target.slug,
                    selected=current_values.get(name) == value,
                    exact=shared == len(current_values) - 1,
                )
            )
        axes.append(Axis(name, choices))
    return axes


def _shared(a: Mapping[str, Hashable], b: Mapping[str, Hashable], *, skip: str) -> int:
    return sum(1 for k, v in b.items() if k != skip and a.get(k) == v)


def _closest(variants: Sequence[HasAxes], current: Mapping[str, Hashable], name: str, value: Hashable) -> HasAxes:
    best: HasAxes | None = None
    best_score = -1
    for v in variants:
        values = v.axis_values()
        if values.get(name) != value:
            continue
        score = _shared(values, current, skip=name)
        if score > best_score:
            best, best_score = v, score
    if best is None:
        raise ValueError(f"No variant has {name}={value!r}")
    return best
