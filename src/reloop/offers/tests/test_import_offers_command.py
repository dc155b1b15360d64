"""``reloop import_offers``: the same report as the web, non-zero exits that say what to fix, --apply applies once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.models import ImportStatus, Offer, OfferImport
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    return make_offer(seller=SellerFactory(slug="alpha"), variant=VariantFactory(), stock=5, price=30000)


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_offers", *args, stdout=out)
    return out.getvalue()


def test_without_apply_it_prints_the_report_and_changes_nothing(tmp_path, offer):
    path = tmp_path / "offers.csv"
    path.write_text(f"sku,stock\n{offer.sku},9\n")
    out = run(str(path), "--seller", "alpha")
    assert "0 to create, 1 to update, 0 unchanged, 0 with errors" in out
    assert "dry run" in out
    assert Offer.objects.get(pk=offer.pk).stock == 5


def test_apply_applies_and_a_second_run_changes_nothing(tmp_path, offer):
    path = tmp_path / "offers.csv"
    path.write_text(f"sku,stock,price_en-gb\n{offer.sku},9,250.00\n")
    assert "Applied: 0 created, 1 updated" in run(str(path), "--seller", "alpha", "--apply")
    offer.refresh_from_db()
    assert (offer.stock, offer.prices.get().amount) == (9, 25000)
    assert "Applied: 0 created, 0 updated, 1 unchanged" in run(str(path), "--seller", "alpha", "--apply")
    assert list(OfferImport.objects.values_list("status", flat=True)) == [ImportStatus.APPLIED] * 2


def test_errors_exit_non_zero_with_what_to_fix_and_nothing_applied(tmp_path, offer):
    path = tmp_path / "offers.csv"
    path.write_text(f"sku,stock\n{offer.sku},9\nX-2,-4\n")
    errors = tmp_path / "errors.csv"
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 line\(s\) with errors: fix them .* --skip-invalid"):
        call_command("import_offers", str(path), "--seller", "alpha", "--apply", "--errors", str(errors), stdout=out)
    assert "line 3 stock '-4': Stock must be between 0 and 100000, not -4 [invalid_stock]" in out.getvalue()
    assert errors.read_text().splitlines()[1].startswith("3,stock,-4,invalid_stock,")
    assert Offer.objects.get(pk=offer.pk).stock == 5
    # skipping the bad line applies the other one
    run(str(path), "--seller", "alpha", "--apply", "--skip-invalid")
    assert Offer.objects.get(pk=offer.pk).stock == 9


def test_unknown_seller_and_unreadable_files_exit_non_zero(tmp_path, offer):
    path = tmp_path / "offers.csv"
    path.write_bytes("sku,stock\nCafé,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="No seller 'nobody'"):
        run(str(path), "--seller", "nobody")
    with pytest.raises(CommandError, match="not UTF-8: line 2"):
        run(str(path), "--seller", "alpha")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"), "--seller", "alpha")
    assert not OfferImport.objects.exists()
