"""Operator console, catalogue role: pictures per model and colour, and the search synonyms (no /admin/ needed).

Both pages need ``catalog.change_productmodel`` (the catalogue role). Pictures go through the catalogue's image
pipeline (``catalog.images``: checked, re-encoded to responsive WebP and JPEG, stored through Django's storage API);
a refused file is told why on the page. Every action is a POST that works without JavaScript and returns to the page
with a message; uploading with "replace" swaps the colour's pictures in one transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reloop.catalog.images import check_size
from reloop.catalog.models import ProductImage, ProductModel
from reloop.catalog.services import add_product_image, delete_product_image, replace_product_images
from reloop.core.errors import DomainError
from reloop.search.models import Synonym
from reloop.search.services import delete_synonym, save_synonym
from reloop.web.console.access import operator_required

EDIT_CATALOGUE = "catalog.change_productmodel"  # held by the catalogue role (console/roles.py)
MODEL_RESULTS = 20


def _pictures_url(model_id: int | None = None, q: str = "") -> str:
    query = {k: v for k, v in (("model", model_id), ("q", q)) if v}
    return reverse("operator:pictures") + (f"?{urlencode(query)}" if query else "")


@require_http_methods(["GET", "HEAD"])
@operator_required(EDIT_CATALOGUE)
def pictures(request: HttpRequest) -> HttpResponse:
    """Find a model, then see its pictures per colour (and "any colour") with upload, replace and delete."""
    q = request.GET.get("q", "").replace("\x00", "").strip()[:80]
    models = (
        list(
            ProductModel.objects.select_related("brand")
            .filter(name__icontains=q)
            .order_by("brand__name", "name")[:MODEL_RESULTS]
        )
        if q
        else []
    )
    chosen = None
    rows: list[tuple[str, list[ProductImage]]] = []
    model_param = request.GET.get("model", "")
    if model_param.isascii() and model_param.isdigit():
        chosen = ProductModel.objects.select_related("brand", "category").filter(pk=int(model_param)).first()
    if chosen is not None:
        colours = list(dict.fromkeys(chosen.variants.order_by("pk").values_list("colour", flat=True)))
        images = list(ProductImage.objects.filter(product_model=chosen).order_by("position", "pk"))
        rows = [(colour, [i for i in images if i.colour == colour]) for colour in ["", *[c for c in colours if c]]]
    return render(request, "web/console/pictures.html", {"q": q, "models": models, "chosen": chosen, "rows": rows})


@require_POST
@operator_required(EDIT_CATALOGUE)
def picture_upload(request: HttpRequest, model_id: int) -> HttpResponse:
    colour = request.POST.get("colour", "").replace("\x00", "")[:60]
    upload = request.FILES.get("picture")
    back = HttpResponseRedirect(_pictures_url(model_id))
    if not ProductModel.objects.filter(pk=model_id).exists():
        messages.error(request, _("No such product model."))
        return HttpResponseRedirect(_pictures_url())
    if upload is None:
        messages.error(request, _("Choose a picture to upload (JPEG, PNG or WebP)."))
        return back
    alt = request.POST.get("alt", "").replace("\x00", "")
    try:
        check_size(upload.size or 0)
        data = upload.read()
        if request.POST.get("replace") == "1":
            replace_product_images(actor=request.user, product_model_id=model_id, colour=colour, data=data, alt=alt)
        else:
            add_product_image(actor=request.user, product_model_id=model_id, data=data, alt=alt, colour=colour)
    except DomainError as exc:
        messages.error(request, _("The picture was not added: %(reason)s") % {"reason": exc.message})
        return back
    messages.success(request, _("Picture saved: pages show it from now on."))
    return back


@require_POST
@operator_required(EDIT_CATALOGUE)
def picture_delete(request: HttpRequest, image_id: int) -> HttpResponse:
    model_id = ProductImage.objects.filter(pk=image_id).values_list("product_model_id", flat=True).first()
    if delete_product_image(actor=request.user, image_id=image_id):
        messages.success(request, _("Picture removed."))
    return HttpResponseRedirect(_pictures_url(model_id))


@require_http_methods(["GET", "HEAD", "POST"])
@operator_required(EDIT_CATALOGUE)
def synonyms(request: HttpRequest) -> HttpResponse:
    """The operator's synonyms: what buyers type and the words searched instead. Saving a term that exists
    replaces its words; search results follow at once."""
    if request.method == "POST":
        term, expansion = request.POST.get("term", ""), request.POST.get("expansion", "")
        try:
            saved = save_synonym(actor=request.user, term=term, expansion=expansion)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, _("The synonym was not saved: %(reason)s") % {"reason": exc.message})
            return render(
                request,
                "web/console/synonyms.html",
                {"synonyms": _all_synonyms(), "term": term[:60], "expansion": expansion[:120]},
                status=400,
            )
        messages.success(
            request, _("“%(term)s” now searches “%(words)s”.") % {"term": saved.term, "words": saved.expansion}
        )
        return HttpResponseRedirect(reverse("operator:synonyms"))
    return render(request, "web/console/synonyms.html", {"synonyms": _all_synonyms()})


@require_POST
@operator_required(EDIT_CATALOGUE)
def synonym_delete(request: HttpRequest, synonym_id: int) -> HttpResponse:
    if delete_synonym(actor=request.user, synonym_id=synonym_id):  # type: ignore[arg-type]
        messages.success(request, _("Synonym removed."))
    return HttpResponseRedirect(reverse("operator:synonyms"))


def _all_synonyms() -> list[Synonym]:
    return list(Synonym.objects.select_related("updated_by").order_by("term"))
