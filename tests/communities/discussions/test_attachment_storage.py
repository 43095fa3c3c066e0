"""Attachments live outside the public media folder, with unguessable names, served only by the checked view."""

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from wagtail.documents import get_document_model

from communities.discussions.services.attachments import attachments_collection
from communities.models import Attachment, Post, Visibility
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory
from tests.hub.conftest import SERVER_PORTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def thread_with_member(home_page):
    community = CommunityFactory(visibility=Visibility.RESTRICTED)
    member = UserFactory()
    MembershipFactory(community=community, user=member)
    return ThreadFactory(community=community), member


def attach(client, thread, name: str, content: bytes) -> Attachment:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("reply", args=[thread.pk]),
        {
            "body": "see file",
            "attachment": SimpleUploadedFile(name, content, content_type="text/csv"),
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    return Post.objects.filter(thread=thread).latest("pk").attachments.get()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_an_attachment_is_stored_privately_under_an_unguessable_name(
    client, media, thread_with_member
):
    public, private = media
    thread, member = thread_with_member
    client.force_login(member)

    first = attach(client, thread, "costs.csv", b"a,b\n1,2\n")
    second = attach(client, thread, "costs.csv", b"a,b\n3,4\n")

    for attachment in (first, second):
        name = attachment.document.file.name
        folder, random, filename = Path(name).parts
        assert (folder, filename) == ("documents", "costs.csv")
        assert len(random) >= 24
        assert (private / name).is_file()
    assert first.document.file.name != second.document.file.name
    assert files_under(public) == []  # nothing in the public media folder

    response = client.get(reverse("attachment", args=[second.pk]))
    assert b"".join(response.streaming_content) == b"a,b\n3,4\n"
    assert 'filename="costs.csv"' in response["Content-Disposition"]


@contextlib.contextmanager
def web_server(root: Path) -> Iterator[str]:
    """A plain static web server over ``root``, as a deployment serves MEDIA_ROOT."""
    for port in SERVER_PORTS:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                break
    root.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with socket.socket() as sock:
            while sock.connect_ex(("127.0.0.1", port)) != 0:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_web_server_serving_the_media_folder_serves_images_but_no_attachment(
    client, media, thread_with_member
):
    public, _ = media
    thread, member = thread_with_member
    client.force_login(member)
    attachment = attach(client, thread, "costs.csv", b"secret,figures\n")
    image = default_storage.save("original_images/chart.png", ContentFile(b"\x89PNG fake"))

    with web_server(public) as url:
        image_response = requests.get(f"{url}/{image}", timeout=30)
        guesses = [
            requests.get(f"{url}/{path}", timeout=30).status_code
            for path in (attachment.document.file.name, "documents/costs.csv", "documents/")
        ]

    assert image_response.status_code == 200
    assert image_response.content == b"\x89PNG fake"
    assert guesses == [404, 404, 404]


def test_secure_documents_moves_old_files_out_of_public_media(client, media, thread_with_member):
    public, private = media
    thread, member = thread_with_member
    (public / "documents").mkdir(parents=True)
    (public / "documents" / "minutes.csv").write_bytes(b"old,attachment\n")
    (public / "documents" / "guide.txt").write_bytes(b"a good-practice document\n")
    Document = get_document_model()
    old = Document.objects.create(
        title="minutes.csv", file="documents/minutes.csv", collection=attachments_collection()
    )
    attachment = Attachment.objects.create(thread=thread, document=old)
    guide = Document.objects.create(title="Guide", file="documents/guide.txt")

    out = call_command_output("secure_documents")
    again = call_command_output("secure_documents")

    assert "2 document files moved" in out and "1 attachments given unguessable names" in out
    assert "0 document files moved" in again and "0 attachments" in again
    assert files_under(public) == []
    old.refresh_from_db()
    guide.refresh_from_db()
    assert len(Path(old.file.name).parts[1]) >= 24
    assert (private / old.file.name).read_bytes() == b"old,attachment\n"
    assert (private / "documents" / "guide.txt").is_file()
    client.force_login(member)
    response = client.get(reverse("attachment", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == b"old,attachment\n"
    # a document outside the attachments' collection is still served by Wagtail's own view
    response = client.get(guide.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a good-practice document\n"


def call_command_output(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_documents_left_in_public_media_are_a_start_up_warning(media):
    from hub.checks import documents_outside_public_media

    public, _ = media
    assert documents_outside_public_media(None) == []
    (public / "documents").mkdir(parents=True)
    (public / "documents" / "left.pdf").write_bytes(b"%PDF")

    (warning,) = documents_outside_public_media(None)
    assert warning.id == "hub.W003" and "secure_documents" in warning.msg
