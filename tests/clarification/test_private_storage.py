from pathlib import Path

import pytest
from django.conf import settings

from clarification.models import Attachment, private_storage


def test_attachments_are_stored_outside_the_public_media_folder():
    storage = Attachment._meta.get_field("file").storage
    assert storage is private_storage
    assert Path(private_storage.location) == Path(settings.PRIVATE_MEDIA_ROOT)
    assert not Path(settings.PRIVATE_MEDIA_ROOT).is_relative_to(Path(settings.MEDIA_ROOT))


def test_an_attachment_has_no_public_url():
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url("bilag/1/abc")
