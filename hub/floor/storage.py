"""The hub's file storage: public media under ``MEDIA_ROOT``, documents under ``PRIVATE_MEDIA_ROOT``.

Images and their renditions are public: the web server (or ``/media/`` in development) may serve
``MEDIA_ROOT`` as it is. Wagtail documents, and so every attachment to a post, are stored under
``PRIVATE_MEDIA_ROOT`` instead, which nothing serves directly: attachments go out only through the
permission-checked attachment view, other documents through Wagtail's own view, which applies its
collections' privacy. One storage routes by name, because Wagtail's document model keeps its file
in the default storage under ``documents/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_join

PRIVATE_PREFIXES = ("documents/",)


def is_private(name: str) -> bool:
    """Whether a stored file name belongs under ``PRIVATE_MEDIA_ROOT``."""
    return name.replace("\\", "/").lstrip("/").startswith(PRIVATE_PREFIXES)


class MediaStorage(FileSystemStorage):
    def private(self) -> FileSystemStorage:
        """The storage of private names, rooted at ``PRIVATE_MEDIA_ROOT`` (read when used)."""
        return FileSystemStorage(
            location=settings.PRIVATE_MEDIA_ROOT,
            file_permissions_mode=self.file_permissions_mode,
            directory_permissions_mode=self.directory_permissions_mode,
        )

    def path(self, name: str) -> str:
        return self.private().path(name) if is_private(name) else super().path(name)

    # _save is Django's hook behind save() (absent from django-stubs); the private storage's own one
    # keeps the returned name relative to PRIVATE_MEDIA_ROOT.
    def _save(self, name: str, content: Any) -> str:
        if is_private(name):
            return self.private()._save(name, content)  # type: ignore[attr-defined]
        return super()._save(name, content)  # type: ignore[misc]

    def url(self, name: str | None) -> str:
        if name and is_private(name):
            # Django's and Wagtail's way of saying "no direct URL": Wagtail then serves it by its view.
            raise NotImplementedError(
                f"{name} is private: link to its serving view (a document's .url), not to the file."
            )
        return super().url(name)


def move_to_private_location(name: str) -> bool:
    """Move a document stored before ``PRIVATE_MEDIA_ROOT`` existed from ``MEDIA_ROOT`` to where the
    storage now looks for it. True when a file was moved; never overwrites."""
    if not is_private(name):
        return False
    public = Path(safe_join(str(settings.MEDIA_ROOT), name))
    private = Path(safe_join(str(settings.PRIVATE_MEDIA_ROOT), name))
    if not public.is_file() or private.exists():
        return False
    private.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(public, private)
    return True


def public_documents_left() -> list[Path]:
    """Document files still under the public ``MEDIA_ROOT`` (a start-up check warns of them)."""
    return [
        path
        for prefix in PRIVATE_PREFIXES
        if (folder := Path(settings.MEDIA_ROOT) / prefix).is_dir()
        for path in folder.rglob("*")
        if path.is_file()
    ]
