"""Drawings generated from the data for the demo: the device's shape for its category, in its colour.

They are stored as ``ProductImage(is_illustration=True)`` and every page that shows one labels it "Illustration":
they are never passed off as photos. ``reloop generate_illustrations`` makes one per model (its first colour).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image, ImageDraw

SIZE = (800, 800)
BACKGROUND = (242, 244, 243)
OUTLINE = (60, 66, 64)

#: Common colour words in manufacturers' colour names, as RGB.
COLOURS = {
    "black": (40, 40, 42),
    "graphite": (65, 66, 68),
    "midnight": (35, 42, 56),
    "space": (80, 82, 86),
    "grey": (140, 142, 145),
    "gray": (140, 142, 145),
    "silver": (200, 202, 205),
    "white": (238, 238, 236),
    "starlight": (236, 228, 214),
    "gold": (222, 196, 140),
    "blue": (70, 110, 170),
    "sierra": (150, 175, 205),
    "green": (90, 140, 100),
    "alpine": (80, 100, 80),
    "red": (190, 40, 50),
    "pink": (235, 180, 190),
    "rose": (225, 170, 170),
    "purple": (160, 130, 190),
    "violet": (150, 120, 190),
    "lavender": (190, 170, 220),
    "yellow": (240, 210, 90),
    "orange": (235, 140, 60),
    "coral": (240, 130, 110),
    "teal": (60, 140, 140),
    "titanium": (150, 146, 140),
    "cream": (240, 230, 205),
    "beige": (220, 205, 180),
    "brown": (130, 95, 70),
    "platinum": (210, 210, 212),
    "porcelain": (235, 232, 225),
    "obsidian": (30, 32, 36),
    "hazel": (150, 140, 110),
    "mint": (170, 220, 200),
    "ultramarine": (80, 100, 220),
    "phantom": (45, 45, 50),
    "lunar": (225, 228, 232),
}


def colour_rgb(name: str) -> tuple[int, int, int]:
    """The colour a name says ("Sierra Blue" → blue-ish); an unknown name gets a stable neutral tone."""
    words = name.lower().replace("-", " ").split()
    for word in words:
        if word in COLOURS:
            return COLOURS[word]
    digest = hashlib.blake2b(name.encode(), digest_size=3).digest()
    return (120 + digest[0] % 80, 120 + digest[1] % 80, 120 + digest[2] % 80)


def draw(category: str, colour: str) -> bytes:
    """A PNG of the category's shape in ``colour``."""
    image = Image.new("RGB", SIZE, BACKGROUND)
    d = ImageDraw.Draw(image)
    fill = colour_rgb(colour) if colour else (150, 152, 155)
    kw: dict[str, Any] = {"fill": fill, "outline": OUTLINE, "width": 8}
    if category in ("smartphones",):
        d.rounded_rectangle((270, 110, 530, 690), radius=48, **kw)
        d.rounded_rectangle((295, 150, 505, 640), radius=20, fill=(30, 34, 38))
    elif category in ("tablets",):
        d.rounded_rectangle((180, 130, 620, 670), radius=40, **kw)
        d.rounded_rectangle((210, 160, 590, 640), radius=16, fill=(30, 34, 38))
    elif category in ("laptops",):
        d.rounded_rectangle((190, 200, 610, 490), radius=18, **kw)
        d.rectangle((215, 225, 585, 465), fill=(30, 34, 38))
        d.polygon([(130, 520), (670, 520), (630, 580), (170, 580)], fill=fill, outline=OUTLINE)
    elif category in ("desktops", "monitors", "computers"):
        d.rounded_rectangle((150, 160, 650, 500), radius=20, **kw)
        d.rectangle((175, 185, 625, 475), fill=(30, 34, 38))
        d.rectangle((370, 500, 430, 610), fill=fill, outline=OUTLINE, width=6)
        d.rounded_rectangle((280, 600, 520, 640), radius=12, fill=fill, outline=OUTLINE, width=6)
    elif category in ("consoles", "gaming"):
        d.rounded_rectangle((160, 300, 640, 500), radius=40, **kw)
        d.ellipse((230, 360, 290, 420), fill=OUTLINE)
        d.ellipse((510, 360, 570, 420), fill=OUTLINE)
    elif category == "video-games":
        d.rounded_rectangle((250, 140, 550, 660), radius=14, **kw)
        d.rectangle((280, 200, 520, 600), fill=(255, 255, 255), outline=OUTLINE, width=4)
        d.ellipse((340, 340, 460, 460), outline=OUTLINE, width=10)
    elif category == "smartwatches":
        d.rectangle((330, 120, 470, 680), fill=fill)
        d.rounded_rectangle((280, 260, 520, 540), radius=50, **kw)
        d.rounded_rectangle((305, 285, 495, 515), radius=30, fill=(30, 34, 38))
    elif category == "audio":
        d.arc((220, 170, 580, 530), start=180, end=360, fill=fill, width=36)
        d.rounded_rectangle((190, 380, 290, 560), radius=30, **kw)
        d.rounded_rectangle((510, 380, 610, 560), radius=30, **kw)
    elif category == "keyboards":
        d.rounded_rectangle((110, 300, 690, 500), radius=22, **kw)
        for row in range(4):
            for col in range(12):
                x, y = 140 + col * 44, 325 + row * 42
                d.rounded_rectangle((x, y, x + 36, y + 34), radius=6, fill=(250, 250, 250), outline=OUTLINE)
    elif category == "mice":
        d.ellipse((290, 190, 510, 610), **kw)
        d.line((400, 200, 400, 360), fill=OUTLINE, width=6)
    else:
        d.rounded_rectangle((200, 200, 600, 600), radius=40, **kw)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
