import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Counter-offer photos go to a throwaway directory, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
