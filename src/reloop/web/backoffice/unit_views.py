"""Back office: the units behind one offer, with their passports (docs/unit-passports.md).

One page per offer: the units listed (status, battery, parts, erasure, locks), a form to list or correct one unit,
a unit CSV upload for many, and a withdraw button per available unit. Every write goes through
``passports.services`` / ``passports.csv_io``; another seller's offer is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from reloop.core.errors import DomainError
from reloop.offers.errors import OfferNotFound
from reloop.offers.models import Offer
from reloop.offers.selectors import seller_offer
from reloop.offers.services import check_may_change_offers
from reloop.passports.csv_io import COLUMNS, import_units
from reloop.passports.domain import ERASURE_METHODS, PARTS, PROVENANCES, TESTS
from reloop.passports.errors import InvalidUnitPassport
from reloop.passports.selectors import seller_units
from reloop.passports.services import UnitInput, attach_units, withdraw_unit
from reloop.web.backoffice.shell import seller_of, seller_required

FLAG_CHOICES = [("", gettext_lazy("Not recorded")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
MAX_UPLOAD = 2_000_000


class UnitForm(forms.Form):
    """One unit and its passport; empty fields are "not recorded" (nothing is claimed for them)."""

    unit = forms.CharField(label=gettext_lazy("IMEI or serial"), max_length=60)
    battery_health = forms.IntegerField(
        label=gettext_lazy("Battery health (%)"), required=False, min_value=0, max_value=100
    )
    battery_cycles = forms.IntegerField(label=gettext_lazy("Battery cycles"), required=False, min_value=0)
    tests_passed = forms.MultipleChoiceField(
        label=gettext_lazy("Tests passed"),
        required=False,
        choices=list(TESTS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    tests_failed = forms.MultipleChoiceField(
        label=gettext_lazy("Tests failed"),
        required=False,
        choices=list(TESTS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    erasure_method = forms.ChoiceField(
        label=gettext_lazy("Data erasure method"),
        required=False,
        choices=[("", gettext_lazy("Not recorded")), *ERASURE_METHODS.items()],
    )
    erasure_certificate = forms.CharField(
        label=gettext_lazy("Erasure certificate reference"), required=False, max_length=60
    )
    carrier_unlocked = forms.ChoiceField(label=gettext_lazy("No carrier lock"), required=False, choices=FLAG_CHOICES)
    activation_lock_off = forms.ChoiceField(
        label=gettext_lazy("Activation lock off (Find My, Google FRP)"), required=False, choices=FLAG_CHOICES
    )
    mdm_free = forms.ChoiceField(label=gettext_lazy("Not enrolled in MDM"), required=False, choices=FLAG_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provenances = [("", gettext_lazy("Not replaced")), *PROVENANCES.items()]
        for part, label in PARTS.items():
            self.fields[f"part_{part}"] = forms.ChoiceField(label=str(label), required=False, choices=provenances)

    @property
    def part_fields(self) -> list[Any]:
        return [self[f"part_{part}"] for part in PARTS]

    def unit_input(self) -> UnitInput:
        data = self.cleaned_data
        passed, failed = set(data["tests_passed"]), set(data["tests_failed"])
        both = passed & failed
        if both:
            raise InvalidUnitPassport(
                _("A test cannot both pass and fail: %(tests)s") % {"tests": ", ".join(sorted(both))},
                code="invalid_tests",
                field="tests",
            )
        tests = [{"test": t, "passed": True} for t in TESTS if t in passed]
        tests += [{"test": t, "passed": False} for t in TESTS if t in failed]
        return UnitInput(
            data["unit"],
            {
                "battery_health": data["battery_health"],
                "battery_cycles": data["battery_cycles"],
                "parts": [
                    {"part": part, "provenance": data[f"part_{part}"]} for part in PARTS if data.get(f"part_{part}")
                ],
                "tests": tests,
                "erasure_method": data["erasure_method"],
                "erasure_certificate": data["erasure_certificate"],
                "carrier_unlocked": data["carrier_unlocked"],
                "activation_lock_off": data["activation_lock_off"],
                "mdm_free": data["mdm_free"],
            },
        )


class UnitCsvForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Unit CSV file"))


_FORM_FIELDS = {"identifier": "unit", "tests": "tests_passed", "parts": None}


def _refuse(form: forms.Form, field: str | None, message: str) -> None:
    """A service's refusal shown on the form that sent it (bound, so ``add_error`` has its cleaned data)."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    form.add_error(field, message)


def _offer_or_404(request: HttpRequest, offer_id: int) -> Offer:
    try:
        return seller_offer(seller=seller_of(request), offer_id=offer_id)
    except OfferNotFound as exc:
        raise Http404(str(exc)) from exc


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def offer_units(request: HttpRequest, offer_id: int) -> HttpResponse:
    seller = seller_of(request)
    offer = _offer_or_404(request, offer_id)
    form, upload, csv_errors, withdraw_error = UnitForm(), UnitCsvForm(), [], ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            check_may_change_offers(seller)
            if action == "add":
                form = UnitForm(request.POST)
                if form.is_valid():
                    report = attach_units(seller=seller, offer_id=offer.pk, units=[form.unit_input()])
                    messages.success(
                        request,
                        _("Unit listed with its passport.") if report.created else _("Unit passport saved."),
                    )
                    return redirect("seller:offer_units", offer_id=offer.pk)
            elif action == "withdraw":
                withdraw_unit(seller=seller, unit_id=int(request.POST.get("unit", "0") or 0))
                messages.success(request, _("Unit withdrawn: buyers no longer see it."))
                return redirect("seller:offer_units", offer_id=offer.pk)
            elif action == "csv":
                upload = UnitCsvForm(request.POST, request.FILES)
                if upload.is_valid():
                    data = upload.cleaned_data["file"].read(MAX_UPLOAD + 1)
                    result = import_units(seller=seller, data=data)
                    if not result.errors:
                        r = result.report
                        messages.success(
                            request,
                            _("%(lines)s unit(s): %(created)s listed, %(updated)s updated, %(unchanged)s unchanged.")
                            % {
                                "lines": result.lines,
                                "created": r.created,
                                "updated": r.updated,
                                "unchanged": r.unchanged,
                            },
                        )
                        return redirect("seller:offer_units", offer_id=offer.pk)
                    csv_errors = result.errors
                    upload.add_error(None, _("Nothing was imported: fix the lines below and upload the file again."))
            else:
                return HttpResponse(_("Unknown action"), status=400)
        except InvalidUnitPassport as exc:
            target = form if action == "add" else upload
            name = _FORM_FIELDS.get(exc.field, exc.field)
            _refuse(target, name if name in target.fields else None, exc.message)
        except (DomainError, ValueError) as exc:
            message = getattr(exc, "message", _("That unit could not be found."))
            if action == "withdraw":
                withdraw_error = message
            else:
                _refuse(form if action == "add" else upload, None, message)
    context = {
        "offer": offer,
        "units": list(seller_units(seller=seller, offer_id=offer.pk)),
        "form": form,
        "upload": upload,
        "csv_errors": csv_errors,
        "csv_columns": COLUMNS,
        "withdraw_error": withdraw_error,
    }
    refused = bool(form.errors or upload.errors or withdraw_error)
    return render(request, "web/backoffice/offers/units.html", context, status=400 if refused else 200)
