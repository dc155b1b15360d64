"""Game and IT-hardware reference data says, entry by entry, what was checked against a source and when."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reloop.catalog.dataset import DATA_DIR

CHECKED_FILES = ["video_games.json", "monitors.json", "keyboards.json", "mice.json", "desktops_windows_linux.json"]
FIELDS = {"release_date", "price", "pegi", "esrb"}


@pytest.mark.parametrize("name", CHECKED_FILES)
def test_every_entry_says_what_was_checked_when_and_against_what(name):
    models = json.loads((DATA_DIR / "catalogue" / name).read_text(encoding="utf-8"))["models"]
    for model in models:
        checked = model["checked"]
        assert dt.date.fromisoformat(checked["on"]), model["name"]
        assert set(checked["verified"]) <= FIELDS, model["name"]
        if checked["verified"]:
            assert checked["sources"], model["name"]  # a verified field names where it was read
            assert all(url.startswith(("http://", "https://")) for url in checked["sources"])
        else:
            assert "unverified" in checked["note"], model["name"]


def test_the_corrections_found_by_checking_are_in_the_data():
    games = json.loads((DATA_DIR / "catalogue" / "video_games.json").read_text(encoding="utf-8"))["models"]
    astro = next(m for m in games if m["name"] == "Astro Bot")
    assert astro["specs"]["esrb"] == "E"
    monitors = json.loads((DATA_DIR / "catalogue" / "monitors.json").read_text(encoding="utf-8"))["models"]
    m8 = next(m for m in monitors if m["name"] == 'Smart Monitor M8 32"')
    assert m8["release_date"] == "2022-03-01"
