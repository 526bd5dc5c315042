"""Media: direct upload, import from URL (a job), and the media library listing."""

from __future__ import annotations

import struct
import zlib

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from tests.sandbox.helpers import api_client, at, bulk, run_job, submit, wait_job


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00\x80\xff" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_upload_returns_the_media_object_and_serves_the_file(client):
    data = _png(3, 2)
    response = client.post(
        "media", files={"file": ("logo.png", data, "image/png")}, data={"in_library": "true"}
    )
    assert response.status_code == 200, response.text
    media = response.json()
    assert set(media) == {
        "id",
        "path",
        "thumbnail",
        "validity",
        "width",
        "height",
        "source",
        "type",
        "name",
        "caption",
    }
    assert (media["type"], media["name"], media["width"], media["height"]) == ("photo", "logo.png", 3, 2)
    assert len(media["id"]) == 24
    served = httpx.get(media["path"])
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"] == "image/png"


def test_upload_needs_a_supported_file(client):
    assert client.post("media", files={"other": ("a.png", b"x", "image/png")}).status_code == 400
    refused = client.post("media", files={"file": ("tool.exe", b"MZ", "application/octet-stream")})
    assert refused.status_code == 400
    assert "unsupported" in refused.json()["errors"][0]


def test_import_from_url_is_a_job_whose_payload_lists_media(client):
    body = {"media": [{"url": "https://example.com/a/photo.jpg", "name": "Photo"}], "type": "single"}
    job = wait_job(client, submit(client, body, "media/from-url"))
    assert job["status"] == "complete"
    assert [(m["type"], m["name"], m["path"]) for m in job["payload"]] == [
        ("photo", "Photo", "https://example.com/a/photo.jpg")
    ]
    envelope = client.get("media", headers={"X-Sandbox-Style": "envelope"}).json()
    assert envelope["total"] == 1


def test_import_from_a_bad_url_fails_the_job(client):
    job = wait_job(
        client,
        submit(
            client,
            {"media": [{"url": "ftp://nowhere/x.png", "name": "x"}], "type": "single"},
            "media/from-url",
        ),
    )
    assert job["status"] == "failed"
    assert client.post("media/from-url", json={"type": "single"}).status_code == 400


def test_import_envelope_style(client):
    envelope = {"X-Sandbox-Style": "envelope"}
    response = client.post(
        "media/from-url", json={"media": [{"url": "https://e.com/v.mp4", "name": "v"}]}, headers=envelope
    )
    assert response.status_code == 202
    job = wait_job(client, response.json()["data"]["job_id"], **envelope)
    assert job["data"]["status"] == "completed"
    assert job["data"]["result"]["payload"][0]["type"] == "video"


def test_library_filters_by_type_and_use(client):
    photo = client.post("media", files={"file": ("a.png", _png(1, 1), "image/png")}).json()
    client.post("media", files={"file": ("b.mp4", b"\x00" * 16, "video/mp4")})
    in_post = {
        "networks": {
            "facebook": {"type": "photo", "text": "pic", "media": [{"id": photo["id"], "type": "photo"}]}
        },
        "accounts": [{"id": SANDBOX_ACCOUNT_IDS["facebook"], "scheduled_at": at(30)}],
    }
    run_job(client, bulk(in_post))
    assert client.get("media").json()["total"] == 2
    photos = client.get("media", params={"types[]": "photo"}).json()
    assert [m["id"] for m in photos["media"]] == [photo["id"]]
    assert photos["media"][0]["used"] is True
    unused = client.get("media", params={"used[]": "false"}).json()
    assert [m["type"] for m in unused["media"]] == ["video"]
    assert client.get("media", params={"ids[]": photo["id"]}).json()["total"] == 1
    assert client.get("posts").json()["posts"][0]["has_media"] is True


@pytest.mark.parametrize(
    ("name", "content_type", "kind"),
    [
        ("clip.MOV", "application/octet-stream", "video"),
        ("clip.avi", "video/x-msvideo", "video"),
        ("deck.pptx", "application/octet-stream", "document"),
        ("report.doc", "application/msword", "document"),
        ("anim.gif", "image/gif", "gif"),
        ("photo.jpeg", "image/jpeg", "photo"),
        ("no-extension", "image/png", "photo"),
        ("no-extension", "application/pdf", "document"),
    ],
)
def test_upload_formats(client, name, content_type, kind):
    response = client.post("media", files={"file": (name, b"\x00" * 8, content_type)})
    assert response.status_code == 200, response.text
    assert response.json()["type"] == kind


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("pic.webp", "image/webp"),
        ("pic.webp", "image/png"),
        ("no-extension", "image/webp"),
        ("a.svg", "image/svg+xml"),
    ],
)
def test_upload_refuses_other_formats(client, name, content_type):
    response = client.post("media", files={"file": (name, b"\x00" * 8, content_type)})
    assert response.status_code == 400
    assert (
        "supported: jpg, jpeg, png, gif, mp4, mov, avi, pdf, doc, docx, ppt, pptx"
        in response.json()["errors"][0]
    )


def test_upload_over_the_limit_is_413():
    with SandboxServer(SandboxConfig(max_upload_bytes=1000)) as server, api_client(server) as client:
        assert (
            client.post("media", files={"file": ("ok.png", b"\x00" * 1000, "image/png")}).status_code == 200
        )
        too_big = client.post("media", files={"file": ("big.png", b"\x00" * 1001, "image/png")})
        assert too_big.status_code == 413
        assert too_big.json()["errors"][0].startswith("Payload Too Large")
        declared = client.post("media", files={"file": ("huge.mp4", b"\x00" * 200_000, "video/mp4")})
        assert declared.status_code == 413  # refused on its Content-Length, before reading the form
        assert [m["name"] for m in server.state_snapshot()["media"]] == ["ok.png"]


def test_default_upload_limit_is_200_mb():
    assert SandboxConfig().max_upload_bytes == 200 * 1024 * 1024


def test_direct_upload_gets_a_final_path_and_the_library_flag(client):
    temporary = client.post("media", files={"file": ("a.png", _png(1, 1), "image/png")}).json()
    final = client.post(
        "media",
        files={"file": ("b.png", _png(1, 1), "image/png")},
        data={"direct_upload": "true", "in_library": "true"},
    ).json()
    assert "/sandbox/media/tmp/" in temporary["path"]
    assert "/tmp/" not in final["path"]
    assert httpx.get(final["path"]).content == _png(1, 1)
    listed = {m["name"]: m["in_library"] for m in client.get("media").json()["media"]}
    assert listed == {"a.png": False, "b.png": True}


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.invalid/photo.jpg",
        "https://example.com/photo.jpg?sandbox-fail",
        "https://example.com/SANDBOX-FAIL/photo.jpg",
        "ftp://example.com/photo.jpg",
    ],
)
def test_import_fails_on_urls_the_sandbox_cannot_fetch(client, url):
    body = {"media": [{"url": "https://example.com/ok.png", "name": "ok"}, {"url": url, "name": "bad"}]}
    job = wait_job(client, submit(client, {**body, "type": "bulk"}, "media/from-url"))
    assert job["status"] == "failed"
    assert url in job["payload"]["errors"][0]
    assert client.get("media").json()["total"] == 0


def test_import_options_and_type(client):
    body = {
        "media": [{"url": "https://example.com/v.mov", "name": "v.mov", "caption": "c"}],
        "inLibrary": True,
    }
    job = wait_job(client, submit(client, {**body, "type": "single"}, "media/from-url"))
    assert [(m["type"], m["caption"]) for m in job["payload"]] == [("video", "c")]
    assert client.get("media").json()["media"][0]["in_library"] is True
    refused = client.post("media/from-url", json={**body, "type": "multiple"})
    assert refused.status_code == 400
    assert "single, bulk, thumbnail" in refused.json()["errors"][0]


def test_library_search_and_ids_ignore_paging(client):
    names = [f"{word}.png" for word in ("sunset", "sunrise", "city")]
    ids = [client.post("media", files={"file": (n, _png(1, 1), "image/png")}).json()["id"] for n in names]
    assert [m["name"] for m in client.get("media", params={"search": "SUN"}).json()["media"]] == names[:2]
    by_ids = client.get("media", params={"ids[]": ids[::2], "page": 5, "types[]": "video"}).json()
    assert sorted(m["id"] for m in by_ids["media"]) == sorted(ids[::2])
