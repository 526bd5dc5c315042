"""Unit tests of the hook methods for media, updates, finding posts and analytics, against mocked HTTP
(requests-mock; respx for the async listing). Every documented response form of each endpoint is
answered (reference §5.7-5.8, §10, §11), and bad input sends no request."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import requests
import respx
from airflow.sdk import ObjectStoragePath

from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerNotFoundError,
    PublerOutcomeUnknownError,
    PublerPermissionError,
    PublerValidationError,
)
from airflow_provider_publer.hooks.publer import DEFAULT_BASE_URL, PublerHook
from airflow_provider_publer.responses import POST_METRICS
from tests.conftest import TEST_WORKSPACE

BASE = DEFAULT_BASE_URL
ACCOUNT = "63c675b54e299e9cf2b667ea"
POST_ID = "68176f0e8bee9dc9b0ce3427"
MEDIA = {
    "id": "6813892b5ec8b1e65235ae9e",
    "path": "https://cdn.publer.io/uploads/tmp/mini.png",
    "thumbnail": "https://cdn.publer.io/uploads/tmp/mini.png",
    "validity": {},
    "width": 1451,
    "height": 1005,
    "source": None,
    "type": "photo",
    "name": "123_1kdw8ry.png",
    "caption": None,
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def image(tmp_path) -> Path:
    path = tmp_path / "launch.png"
    path.write_bytes(PNG)
    return path


pytestmark = pytest.mark.usefixtures("publer_conn")


def url(path: str) -> str:
    return f"{BASE}/{path}"


def _multipart(request) -> bytes:
    body = request.body
    return body if isinstance(body, bytes) else body.encode()


# -- POST /media --------------------------------------------------------------------------------


class TestUploadMedia:
    @pytest.mark.parametrize(
        "answer",
        [MEDIA, {"success": True, "data": MEDIA}, {"media": MEDIA}],
        ids=["flat", "envelope", "under-media"],
    )
    def test_every_answer_form_gives_the_media_object(self, hook, api, image, answer):
        api.post(url("media"), json=answer)
        assert hook.upload_media(image) == MEDIA

    def test_sends_the_file_and_the_flags_as_multipart(self, hook, api, image):
        api.post(url("media"), json=MEDIA)
        hook.upload_media(image, in_library=True, name="launch-day.png")
        request = api.last_request
        assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        assert request.headers["Publer-Workspace-Id"] == TEST_WORKSPACE
        body = _multipart(request)
        assert b'name="file"; filename="launch-day.png"' in body
        assert b"Content-Type: image/png" in body
        assert PNG in body
        assert b'name="in_library"\r\n\r\ntrue' in body
        assert b'name="direct_upload"\r\n\r\nfalse' in body

    def test_a_str_path_and_an_object_storage_path_work(self, hook, api, image):
        api.post(url("media"), json=MEDIA)
        hook.upload_media(str(image))
        hook.upload_media(ObjectStoragePath(f"file://{image}"))
        assert [PNG in _multipart(r) for r in api.request_history] == [True, True]
        assert b'filename="launch.png"' in _multipart(api.last_request)

    @pytest.mark.parametrize(
        ("make", "field", "message"),
        [
            (lambda p: p / "missing.png", "file", r"does not exist"),
            (lambda p: p, "file", r"does not exist or is not a file"),
            (lambda p: _write(p / "notes.txt"), "file", r"'\.txt', a format Publer does not take"),
            (lambda p: _write(p / "README"), "file", r"no extension"),
            (lambda p: "https://example.com/a.png", "file", r"is a URL.*urls="),
            (lambda p: "s3://bucket/a.png", "file", r"ObjectStoragePath\('s3://bucket/a.png'"),
            (lambda p: 42, "file", r"must be a file path or an ObjectStoragePath, got int"),
        ],
    )
    def test_bad_files_send_nothing(self, hook, api, tmp_path, make, field, message):
        with pytest.raises(PublerValidationError, match=message) as info:
            hook.upload_media(make(tmp_path))
        assert info.value.field == field
        assert not api.called

    def test_a_file_over_200_mb_is_refused_with_the_url_import_suggested(self, hook, api, tmp_path):
        big = tmp_path / "film.mp4"
        with big.open("wb") as handle:  # sparse: takes no disk space
            handle.truncate(200 * 1024 * 1024 + 1)
        with pytest.raises(PublerValidationError, match=r"200 MB limit.*import it from the URL.*urls="):
            hook.upload_media(big)
        assert not api.called

    def test_a_file_of_exactly_200_mb_is_sent(self, hook, api, tmp_path, monkeypatch):
        edge = tmp_path / "film.mp4"
        with edge.open("wb") as handle:
            handle.truncate(200 * 1024 * 1024)
        api.post(url("media"), json=MEDIA)
        monkeypatch.setattr("airflow_provider_publer.validation.MediaFile.read", lambda self: b"video")
        assert hook.upload_media(edge)["id"] == MEDIA["id"]

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_5xx_is_an_unknown_outcome_and_never_repeated(self, hook, api, image, status):
        api.post(url("media"), status_code=status)
        with pytest.raises(PublerOutcomeUnknownError, match="POST media was sent but its outcome is unknown"):
            hook.upload_media(image)
        assert api.call_count == 1

    def test_a_lost_answer_is_never_repeated(self, hook, api, image):
        api.post(url("media"), exc=requests.ReadTimeout("slow"))
        with pytest.raises(PublerOutcomeUnknownError):
            hook.upload_media(image)
        assert api.call_count == 1

    def test_a_connection_that_never_opened_is_retried_with_the_whole_file(self, hook, api, image):
        api.post(url("media"), [{"exc": requests.ConnectTimeout("refused")}, {"json": MEDIA}])
        assert hook.upload_media(image) == MEDIA
        assert api.call_count == 2
        assert PNG in _multipart(api.last_request)

    def test_413_is_publers_refusal_with_its_message(self, hook, api, image):
        api.post(url("media"), status_code=413, json={"errors": ["Payload Too Large"]})
        with pytest.raises(PublerAPIError, match="HTTP 413 on POST media: Payload Too Large"):
            hook.upload_media(image)


def _write(path: Path) -> Path:
    path.write_text("x")
    return path


# -- POST /media/from-url -----------------------------------------------------------------------


class TestImportMedia:
    @pytest.mark.parametrize(
        ("answer", "status"),
        [({"job_id": "68138a29"}, 200), ({"success": True, "data": {"job_id": "68138a29"}}, 202)],
    )
    def test_returns_the_job_id_of_either_form(self, hook, api, answer, status):
        api.post(url("media/from-url"), json=answer, status_code=status)
        assert hook.import_media("https://example.com/img/launch.jpg") == "68138a29"

    def test_sends_publers_body_with_a_name_for_each_url(self, hook, api):
        api.post(url("media/from-url"), json={"job_id": "j"})
        hook.import_media(
            [
                "https://example.com/a%20b.png",
                {"url": "https://example.com/v.mp4", "name": "Clip", "caption": "c"},
            ],
            in_library=True,
        )
        assert api.last_request.json() == {
            "media": [
                {"url": "https://example.com/a%20b.png", "name": "a b.png"},
                {"url": "https://example.com/v.mp4", "name": "Clip", "caption": "c"},
            ],
            "type": "bulk",
            "direct_upload": False,
            "in_library": True,
        }
        hook.import_media(["https://example.com/a.png"])
        assert api.last_request.json()["type"] == "single"

    @pytest.mark.parametrize(
        ("urls", "field"),
        [
            ([], "urls"),
            (["ftp://example.com/a.png"], "urls[0]"),
            (["/tmp/a.png"], "urls[0]"),
            ([{"name": "x"}], "urls[0].url"),
        ],
    )
    def test_bad_urls_send_nothing(self, hook, api, urls, field):
        with pytest.raises(PublerValidationError) as info:
            hook.import_media(urls)
        assert info.value.field == field
        assert not api.called

    def test_5xx_is_never_repeated(self, hook, api):
        api.post(url("media/from-url"), status_code=502)
        with pytest.raises(PublerOutcomeUnknownError):
            hook.import_media(["https://example.com/a.png"])
        assert api.call_count == 1


# -- GET /media ---------------------------------------------------------------------------------


LIBRARY = [{"id": f"m{i:02d}", "type": "photo", "name": f"image-{i}.png"} for i in range(45)]


def _media_pages(echo: str) -> list[dict]:
    pages = []
    for start in range(0, len(LIBRARY), 20):
        page: dict = {"media": LIBRARY[start : start + 20]}
        if echo != "none":
            page["total"] = len(LIBRARY)
        pages.append(page)
    return pages


class TestListMedia:
    @pytest.mark.parametrize("echo", ["total", "none"])
    @pytest.mark.parametrize("past_end", ["empty", "last"])
    def test_every_page_is_read_whatever_publer_echoes(self, hook, api, echo, past_end):
        pages = _media_pages(echo)

        def answer(request, context):
            number = int(request.qs["page"][0])
            if number < len(pages):
                return pages[number]
            return pages[-1] if past_end == "last" else {"media": []}

        api.get(url("media"), json=answer)
        assert [m["id"] for m in hook.list_media()] == [m["id"] for m in LIBRARY]
        assert len(api.request_history) <= 4

    def test_sends_the_required_filters(self, hook, api):
        api.get(url("media"), json={"media": [], "total": 0})
        hook.list_media(search="launch", source=["upload"])
        qs = api.last_request.qs
        assert qs["types[]"] == ["photo", "video", "gif"]
        assert qs["used[]"] == ["true", "false"]
        assert (qs["search"], qs["source[]"], qs["page"]) == (["launch"], ["upload"], ["0"])

    def test_ids_are_one_request(self, hook, api):
        api.get(url("media"), json={"media": [MEDIA]})
        assert hook.list_media(ids=[MEDIA["id"]]) == [MEDIA]
        assert api.call_count == 1
        assert api.last_request.qs["ids[]"] == [MEDIA["id"]]
        assert "page" not in api.last_request.qs

    def test_an_unknown_type_sends_nothing(self, hook, api):
        with pytest.raises(PublerValidationError, match=r'types\[0\]: .*did you mean "photo"'):
            hook.list_media(types=["photos"])
        assert not api.called


# -- PUT /posts/{id} ----------------------------------------------------------------------------

DETAIL = {"id": POST_ID, "text": "Updated", "state": "scheduled", "labels": [{"id": "l", "name": "launch"}]}


class TestUpdatePost:
    @pytest.mark.parametrize(
        "answer",
        [DETAIL, {"post": DETAIL}, {"success": True, "data": DETAIL}],
        ids=["flat", "post", "envelope"],
    )
    def test_sends_the_post_body_and_reads_every_answer_form(self, hook, api, answer):
        api.put(url(f"posts/{POST_ID}"), json=answer)
        assert hook.update_post(POST_ID, {"text": "Updated", "labels": ["launch"]}) == DETAIL
        assert api.last_request.json() == {"post": {"text": "Updated", "labels": ["launch"]}}
        assert api.last_request.headers["Publer-Workspace-Id"] == TEST_WORKSPACE

    def test_403_says_published_with_approval(self, hook, api):
        message = "Forbidden - You cannot update a post that has been published with approval"
        api.put(url(f"posts/{POST_ID}"), status_code=403, json={"errors": [message]})
        with pytest.raises(
            PublerPermissionError, match=rf"{message}; Publer refuses to update post {POST_ID}"
        ):
            hook.update_post(POST_ID, {"text": "x"})
        assert api.call_count == 1

    def test_422_carries_publers_reason_and_what_can_change(self, hook, api):
        reason = "Published X posts cannot be edited, only their labels"
        api.put(url(f"posts/{POST_ID}"), status_code=422, json={"errors": [reason]})
        with pytest.raises(PublerAPIError, match=rf"HTTP 422 .*{reason}.*LinkedIn: text") as info:
            hook.update_post(POST_ID, {"text": "x"})
        assert info.value.status_code == 422

    def test_404_names_the_post_and_workspace(self, hook, api):
        api.put(url(f"posts/{POST_ID}"), status_code=404, json={"errors": ["Post not found"]})
        with pytest.raises(
            PublerNotFoundError, match=rf"post {POST_ID} does not exist in workspace {TEST_WORKSPACE}"
        ):
            hook.update_post(POST_ID, {"text": "x"})

    def test_a_lost_answer_is_retried_as_a_put_sets_the_same_fields(self, hook, api):
        api.put(url(f"posts/{POST_ID}"), [{"exc": requests.ReadTimeout("t")}, {"json": DETAIL}])
        assert hook.update_post(POST_ID, {"text": "Updated"}) == DETAIL
        assert api.call_count == 2

    @pytest.mark.parametrize(
        ("post_id", "post", "field"),
        [
            (POST_ID, {}, "post"),
            (POST_ID, {"txt": "a"}, "post.txt"),
            (POST_ID, {"text": " "}, "post.text"),
            (POST_ID, {"media": {"id": "m"}}, "post.media"),
            (POST_ID, {"media": [{"alt_text": "x"}]}, "post.media[0]"),
            (POST_ID, "new text", "post"),
            ("None", {"text": "a"}, "post_id"),
            (f"{POST_ID}\n", {"text": "a"}, "post_id"),
        ],
    )
    def test_bad_updates_send_nothing(self, hook, api, post_id, post, field):
        with pytest.raises(PublerValidationError) as info:
            hook.update_post(post_id, post)
        assert info.value.field == field
        assert not api.called


# -- finding posts (GET /posts, no get-by-id) ---------------------------------------------------

PAGES = [
    {
        "posts": [{"id": f"p{i}", "state": "published"} for i in range(n, n + 20)],
        "total": 50,
        "total_pages": 3,
    }
    for n in (0, 20, 40)
]
PAGES[-1]["posts"] = PAGES[-1]["posts"][:10]


class TestFindPosts:
    def test_stops_paging_once_every_id_is_found(self, hook, api):
        api.get(url("posts"), [{"json": page} for page in PAGES])
        found = hook.find_posts(["p3", "p25"], state=["published", "failed"], account_ids=[ACCOUNT])
        assert sorted(found) == ["p25", "p3"]
        assert api.call_count == 2
        assert api.last_request.qs["state[]"] == ["published", "failed"]
        assert api.last_request.qs["account_ids[]"] == [ACCOUNT.lower()]

    def test_one_id_alone_is_one_id(self, hook, api):
        api.get(url("posts"), [{"json": page} for page in PAGES])
        assert list(hook.find_posts("p3")) == ["p3"]
        assert api.call_count == 1

    def test_an_id_not_listed_is_left_out_after_the_last_page(self, hook, api):
        api.get(url("posts"), [{"json": page} for page in PAGES])
        assert list(hook.find_posts(["p1", "gone"])) == ["p1"]
        assert api.call_count == 3

    @pytest.mark.asyncio
    async def test_the_async_variant_pages_the_same_way(self):
        with respx.mock(base_url=BASE) as router:
            route = router.get("/posts").mock(side_effect=[httpx.Response(200, json=page) for page in PAGES])
            hook = PublerHook()
            try:
                found = await hook.afind_posts(
                    ["p45"], state="published", from_="2030-01-01", to="2030-01-02"
                )
            finally:
                await hook.aclose()
        assert list(found) == ["p45"]
        assert [dict(c.request.url.params)["page"] for c in route.calls] == ["0", "1", "2"]
        assert dict(route.calls.last.request.url.params)["from"] == "2030-01-01"


# -- analytics ----------------------------------------------------------------------------------


def _insight(index: int, analytics: dict) -> dict:
    return {"id": f"i{index:02d}", "text": f"post {index}", "account_id": ACCOUNT, "analytics": analytics}


OBJECTS = {
    "reach": {"name": "Reach", "value": 1200, "tooltip": "Unique people"},
    "likes": {"name": "Likes", "value": 40, "tooltip": "..."},
    "engagement_rate": {"name": "Engagement Rate", "value": 4.5},
    "video_views": {"name": "Video Views", "value": None},
}


class TestPostInsights:
    @pytest.mark.parametrize(
        ("analytics", "expected"),
        [
            (OBJECTS, {"reach": 1200, "likes": 40, "engagement_rate": 4.5, "video_views": None}),
            (
                {"reach": 1200, "likes": "40", "engagement_rate": "4.5%"},
                {"reach": 1200, "likes": 40, "engagement_rate": 4.5},
            ),
            ({}, {}),
        ],
        ids=["metric-objects", "plain-numbers", "no-metrics"],
    )
    def test_metrics_become_plain_numbers_and_absent_ones_none(self, hook, api, analytics, expected):
        api.get(
            url(f"analytics/{ACCOUNT}/post_insights"), json={"posts": [_insight(0, analytics)], "total": 1}
        )
        [row] = hook.get_post_insights(ACCOUNT, "2030-01-01", "2030-01-07")
        assert set(row["analytics"]) >= set(POST_METRICS)
        assert {k: row["analytics"][k] for k in expected} == expected
        assert all(row["analytics"][k] is None for k in POST_METRICS if k not in expected)
        assert row["analytics"]["engagement"] is None
        assert row["analytics"]["saves"] is None

    def test_an_extra_metric_is_kept(self, hook, api):
        api.get(
            url(f"analytics/{ACCOUNT}/post_insights"),
            json={"posts": [_insight(0, {"impressions": {"value": 7}})]},
        )
        [row] = hook.get_post_insights(ACCOUNT, "2030-01-01", "2030-01-07")
        assert row["analytics"]["impressions"] == 7

    @pytest.mark.parametrize("echo", ["total", "none"])
    def test_every_page_of_ten_is_read(self, hook, api, echo):
        rows = [_insight(i, OBJECTS) for i in range(25)]
        pages = [
            {"posts": rows[n : n + 10], **({"total": 25} if echo == "total" else {})} for n in (0, 10, 20)
        ]
        api.get(
            url(f"analytics/{ACCOUNT}/post_insights"),
            [*({"json": p} for p in pages), {"json": {"posts": []}}],
        )
        got = hook.get_post_insights(ACCOUNT, "2030-01-01", "2030-01-07", sort_by="reach", sort_type="desc")
        assert [r["id"] for r in got] == [r["id"] for r in rows]
        qs = api.last_request.qs
        assert (qs["from"], qs["to"], qs["sort_by"], qs["sort_type"]) == (
            ["2030-01-01"],
            ["2030-01-07"],
            ["reach"],
            ["desc"],
        )
        assert api.request_history[-1].url.count("sort_type=DESC") == 1

    @pytest.mark.parametrize(
        ("from_", "to", "sort_by", "field"),
        [
            (None, "2030-01-07", None, "from_"),
            ("2030-01-01", None, None, "to"),
            ("2030-01-08", "2030-01-07", None, "from_"),
            ("last week", "2030-01-07", None, "from_"),
            ("2030-01-01", "2030-01-07", "reachh", "sort_by"),
        ],
    )
    def test_bad_ranges_send_nothing(self, hook, api, from_, to, sort_by, field):
        with pytest.raises(PublerValidationError) as info:
            hook.get_post_insights(ACCOUNT, from_, to, sort_by=sort_by)
        assert info.value.field == field
        assert not api.called

    def test_dates_and_datetimes_are_sent_as_days(self, hook, api):
        from datetime import date, datetime, timezone

        api.get(url(f"analytics/{ACCOUNT}/post_insights"), json={"posts": []})
        hook.get_post_insights(ACCOUNT, date(2030, 1, 1), datetime(2030, 1, 7, 23, 0, tzinfo=timezone.utc))
        assert (api.last_request.qs["from"], api.last_request.qs["to"]) == (["2030-01-01"], ["2030-01-07"])

    def test_a_plan_without_analytics_is_a_permission_error(self, hook, api):
        api.get(
            url(f"analytics/{ACCOUNT}/post_insights"),
            status_code=403,
            json={"errors": ["Permission denied - requires analytics access or paying subscription"]},
        )
        with pytest.raises(PublerPermissionError, match="requires analytics access"):
            hook.get_post_insights(ACCOUNT, "2030-01-01", "2030-01-07")


class TestOtherAnalytics:
    def test_hashtag_insights_read_every_page(self, hook, api):
        records = [{"hashtag": f"#t{i}", "posts": 1} for i in range(12)]
        api.get(
            url(f"analytics/{ACCOUNT}/hashtag_insights"),
            [
                {"json": {"records": records[:10], "total": 12}},
                {"json": {"records": records[10:], "total": 12}},
            ],
        )
        assert hook.get_hashtag_insights(ACCOUNT) == records
        assert "from" not in api.last_request.qs

    @pytest.mark.parametrize(
        "answer",
        [
            [{"id": "followers"}],
            {"charts": [{"id": "followers"}]},
            {"success": True, "data": [{"id": "followers"}]},
        ],
        ids=["bare", "under-charts", "envelope"],
    )
    def test_charts_in_every_form(self, hook, api, answer):
        api.get(url("analytics/charts"), json=answer)
        assert hook.list_analytics_charts("fb_page") == [{"id": "followers"}]
        assert api.last_request.qs["account_type"] == ["fb_page"]

    def test_an_unknown_account_type_sends_nothing(self, hook, api):
        with pytest.raises(PublerValidationError, match='did you mean "fb_page"'):
            hook.list_analytics_charts("fb-page")
        assert not api.called

    @pytest.mark.parametrize(
        ("answer", "previous"),
        [
            (
                {"current": {"reach": {"data": [], "last_value": 1}}, "previous": {"reach": {"data": []}}},
                {"reach": {"data": []}},
            ),
            ({"success": True, "data": {"current": {"reach": {"data": [], "last_value": 1}}}}, {}),
        ],
        ids=["flat", "envelope-without-previous"],
    )
    def test_chart_data(self, hook, api, answer, previous):
        api.get(url(f"analytics/{ACCOUNT}/chart_data"), json=answer)
        data = hook.get_chart_data(ACCOUNT, ["reach", "followers"], "2030-01-01", "2030-01-31")
        assert data["current"] == {"reach": {"data": [], "last_value": 1}}
        assert data["previous"] == previous
        qs = api.last_request.qs
        assert qs["chart_ids[]"] == ["reach", "followers"]
        assert (qs["from"], qs["to"]) == (["2030-01-01"], ["2030-01-31"])

    def test_chart_data_needs_chart_ids(self, hook, api):
        with pytest.raises(PublerValidationError, match="chart_ids"):
            hook.get_chart_data(ACCOUNT, [])
        assert not api.called

    @pytest.mark.parametrize(
        ("answer", "expected"),
        [
            ({"monday": [1] * 24, "sunday": [0] * 24}, {"monday": [1] * 24, "sunday": [0] * 24}),
            ([], {}),
            ({"success": True, "data": {"monday": [2] * 24}}, {"monday": [2] * 24}),
        ],
        ids=["by-weekday", "empty-list", "envelope"],
    )
    def test_best_times(self, hook, api, answer, expected):
        api.get(url(f"analytics/{ACCOUNT}/best_times"), json=answer)
        assert hook.get_best_times(ACCOUNT, "2030-01-01", "2030-01-31") == expected

    @pytest.mark.parametrize(
        "wrap",
        [lambda rows: rows, lambda rows: {"members": rows}, lambda rows: {"success": True, "data": rows}],
    )
    def test_members_with_reach_absent(self, hook, api, wrap):
        rows = [
            {
                "engagements": 1250,
                "posts": 42,
                "reach": 15000,
                "account_ids": [ACCOUNT],
                "user": {"id": "u1"},
            },
            {"engagements": 0, "posts": 0, "account_ids": [], "user": {"id": "u2"}},
        ]
        api.get(url("analytics/members"), json=wrap(rows))
        got = hook.get_members_analytics("2030-01-01", "2030-01-31", account_id=ACCOUNT)
        assert [r["reach"] for r in got] == [15000, None]
        assert api.last_request.qs["account_id"] == [ACCOUNT.lower()]

    def test_best_times_and_members_need_both_dates(self, hook, api):
        with pytest.raises(PublerValidationError, match="to: is required"):
            hook.get_best_times(ACCOUNT, "2030-01-01", None)
        with pytest.raises(PublerValidationError, match="from_: is required"):
            hook.get_members_analytics(None, "2030-01-01")
        assert not api.called


def test_no_error_message_carries_the_key(hook, api, image):
    from tests.conftest import TEST_API_KEY

    api.post(url("media"), status_code=400, json={"errors": [f"bad key Bearer-API {TEST_API_KEY}"]})
    with pytest.raises(PublerAPIError) as info:
        hook.upload_media(image)
    assert TEST_API_KEY not in str(info.value)
