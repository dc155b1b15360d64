"""Public catalogue pictures (renditions made by catalog.images), served from Django's storage.

Only names of the shape the pipeline writes are served (``catalogue/<model>/<16 hex>-<width>.webp|jpg``, and the
sellers' photos of a unit on sale, ``offers/<offer>/…``, shown on public product pages), so no other stored file
(after-sales photos are private) can be reached through this view.
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

NAME = re.compile(r"^(?:catalogue|offers)/\d{1,12}/[0-9a-f]{16}-\d{2,4}\.(webp|jpg)$")
TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


@require_safe
def catalogue_image(request: HttpRequest, name: str) -> HttpResponse:
    match = NAME.match(name)
    if match is None or not default_storage.exists(name):
        raise Http404("No such picture")
    try:
        default_storage.path(name)
    except NotImplementedError:  # object storage (S3): a signed, expiring URL
        return HttpResponseRedirect(default_storage.url(name))
    with default_storage.open(name, "rb") as stored:  # renditions are small (a few hundred kB at most)
        response = HttpResponse(stored.read(), content_type=TYPES[match.group(1)])
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # names are never reused
    return response
