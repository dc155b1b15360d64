"""Catalogue images: checking an upload and turning it into responsive renditions (Pillow), stored through Django's
storage API (local disk by default, S3-compatible with django-storages when ``RELOOP_S3_BUCKET`` is set).

An upload is refused with a clear message when it is too large, not an image, or not one of the three formats we
decode (JPEG, PNG, WebP): Pillow is told to try only those decoders, so a file posing as an image (HTML, SVG, a
PostScript or TIFF payload) never reaches another decoder; an image claiming more pixels than
``MAX_PIXELS`` (a decompression bomb) is refused before it is decoded. What is stored is always re-encoded by us
(metadata such as GPS position dropped), never the uploaded bytes.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from reloop.core.errors import InvalidInput

FORMATS = ("JPEG", "PNG", "WEBP")
#: Widths of the renditions (CSS pixels at 1x and 2x for cards and product pages).
WIDTHS = (320, 640, 1280)
MAX_PIXELS = 40_000_000
MIN_SIDE = 200


def max_bytes() -> int:
    return int(getattr(settings, "RELOOP_IMAGE_MAX_BYTES", 8 * 1024 * 1024))


class ImageRefused(InvalidInput):
    code = "image_refused"


def check_size(size: int) -> None:
    """``ImageRefused`` when a file of ``size`` bytes is over the limit (views call it before reading an upload)."""
    limit = max_bytes()
    if size > limit:
        raise ImageRefused(f"The file is {size / 1_048_576:.1f} MB; images may be at most {limit / 1_048_576:.0f} MB.")


def open_upload(data: bytes) -> Image.Image:
    """The decoded image, upright, or ``ImageRefused`` saying why not."""
    check_size(len(data))
    if not data:
        raise ImageRefused("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ImageRefused(
                        f"The image is {width} × {height} pixels: too many pixels; at most 40 megapixels are accepted."
                    )
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("The image has too many pixels; at most 40 megapixels are accepted.") from None
    except UnidentifiedImageError:
        raise ImageRefused("This file is not a JPEG, PNG or WebP image.") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRefused("This image is damaged and cannot be read.") from None
    if min(image.size) < MIN_SIDE:
        raise ImageRefused(f"The image is {image.width} × {image.height} pixels; at least {MIN_SIDE} are needed.")
    upright = ImageOps.exif_transpose(image)
    return upright if upright is not None else image


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    webp: str  # storage names
    jpeg: str

    def as_dict(self) -> dict[str, int | str]:
        return {"w": self.width, "h": self.height, "webp": self.webp, "jpeg": self.jpeg}


def encode(image: Image.Image, width: int) -> tuple[int, int, bytes, bytes]:
    """One width in WebP and JPEG (no metadata), never upscaled."""
    width = min(width, image.width)
    height = round(image.height * width / image.width)
    resized = image.resize((width, height), Image.Resampling.LANCZOS)
    has_alpha = resized.mode in ("RGBA", "LA") or (resized.mode == "P" and "transparency" in resized.info)
    if has_alpha:
        rgba = resized.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))  # JPEG has no transparency: flatten on white
        flat.paste(rgba, mask=rgba.getchannel("A"))
        webp_source, jpeg_source = rgba, flat
    else:
        webp_source = jpeg_source = resized.convert("RGB")
    webp, jpeg = io.BytesIO(), io.BytesIO()
    webp_source.save(webp, "WEBP", quality=80, method=4)
    jpeg_source.save(jpeg, "JPEG", quality=85, optimize=True, progressive=True)
    return width, height, webp.getvalue(), jpeg.getvalue()


def store_renditions(image: Image.Image, *, folder: str) -> list[Rendition]:
    """Save every width (once each, however small the original) under ``folder`` with an unguessable name."""
    stem = secrets.token_hex(8)
    renditions: list[Rendition] = []
    seen: set[int] = set()
    for target in WIDTHS:
        width, height, webp, jpeg = encode(image, target)
        if width in seen:
            continue
        seen.add(width)
        webp_name = default_storage.save(f"{folder}/{stem}-{width}.webp", ContentFile(webp))
        jpeg_name = default_storage.save(f"{folder}/{stem}-{width}.jpg", ContentFile(jpeg))
        renditions.append(Rendition(width, height, webp_name, jpeg_name))
    return renditions
