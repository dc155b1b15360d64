"""Seller back office: photos of the actual unit on an offer's page (add, remove).

Both are POSTs from the offer page that work without JavaScript and come back to it with a message: what was
added, or why the file was refused (too large, not a JPEG/PNG/WebP image, damaged, too small, too many pixels, too
many photos). Another seller's offer or photo is a 404, like a missing one; a suspended seller changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reloop.catalog.images import check_size
from reloop.core.errors import DomainError
from reloop.offers import services
from reloop.offers.errors import OfferNotFound
from reloop.offers.photos import add_offer_photo, delete_offer_photo
from reloop.web.backoffice.shell import seller_of, seller_required


def _back(offer_id: int) -> HttpResponse:
    return HttpResponseRedirect(reverse("seller:offer", args=[offer_id]) + "#photos")


@require_POST
@seller_required
def offer_photo_add(request: HttpRequest, offer_id: int) -> HttpResponse:
    seller = seller_of(request)
    upload = request.FILES.get("photo")
    try:
        services.check_may_change_offers(seller)
        if upload is None:
            messages.error(request, _("Choose a photo to upload (JPEG, PNG or WebP)."))
            return _back(offer_id)
        check_size(upload.size or 0)  # before reading a huge file into memory
        add_offer_photo(seller=seller, offer_id=offer_id, data=upload.read(), alt=request.POST.get("alt", ""))
    except OfferNotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, _("The photo was not added: %(reason)s") % {"reason": exc.message})
        return _back(offer_id)
    messages.success(request, _("Photo added. Buyers see it on the product page with this offer."))
    return _back(offer_id)


@require_POST
@seller_required
def offer_photo_delete(request: HttpRequest, offer_id: int, photo_id: int) -> HttpResponse:
    seller = seller_of(request)
    try:
        services.check_may_change_offers(seller)
        deleted = delete_offer_photo(seller=seller, offer_id=offer_id, photo_id=photo_id)
    except OfferNotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(offer_id)
    if deleted:
        messages.success(request, _("Photo removed."))
    return _back(offer_id)
