import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Case photos go to a throwaway directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
