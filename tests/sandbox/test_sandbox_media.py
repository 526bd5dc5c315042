"""Media: direct upload, import from URL (a job), and the media library listing."""

from __future__ import annotations

import struct
import zlib

import httpx

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS
from tests.sandbox.helpers import at, bulk, run_job, submit, wait_job


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
