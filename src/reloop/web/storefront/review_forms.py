"""The buyer's review form: it parses and labels input; the rules live in ``reviews.services``."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from reloop.reviews import domain


def _interpolated(message: str, values: dict[str, object]) -> str:
    return gettext(message) % values


#: Translated when rendered (in the reader's language), not when the module is imported.
interpolated = lazy(_interpolated, str)

STARS = [(n, interpolated(gettext_noop("%(n)s of 5"), {"n": n})) for n in range(5, 0, -1)]


class ReviewForm(forms.Form):
    product_rating = forms.TypedChoiceField(
        label=_("How is the device?"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    seller_rating = forms.TypedChoiceField(
        label=_("How was the seller (packing, delivery, contact)?"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your review"),
        min_length=domain.MIN_TEXT,
        max_length=domain.MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=interpolated(
            gettext_noop(
                "What other buyers should know: condition on arrival, battery, how it works. "
                "%(min)s to %(max)s characters."
            ),
            {"min": domain.MIN_TEXT, "max": domain.MAX_TEXT},
        ),
    )
