"""One test per response variant of Publer's API (reference §13), through the shared normalisation."""

from __future__ import annotations

import pytest

from airflow_provider_publer import responses
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerAuthenticationError,
    PublerNotFoundError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
)

FAILURE = {
    "account_id": "63c675b54e299e9cf2b667ea",
    "account_name": "Test Page",
    "provider": "facebook",
    "message": "There's another post at this time. A one minute gap is required between posts",
}


class TestJobId:
    def test_flat(self):
        assert responses.parse_job_id({"job_id": "68176fa0f0eb419444bee686"}) == "68176fa0f0eb419444bee686"

    def test_envelope(self):
        body = {"success": True, "data": {"job_id": "6810dec617eae6d55d7a5e5b"}}
        assert responses.parse_job_id(body) == "6810dec617eae6d55d7a5e5b"

    @pytest.mark.parametrize("body", [{}, {"success": True, "data": {}}, [], None, {"job_id": ""}])
    def test_missing_job_id_is_an_error_naming_the_answer(self, body):
        with pytest.raises(PublerAPIError, match="no job_id"):
            responses.parse_job_id(body)


class TestJobStatus:
    def test_flat_complete_with_empty_failures_dict(self):
        result = responses.parse_job_status(
            "j1", {"status": "complete", "payload": {"failures": {}}, "plan": {}}
        )
        assert result.is_success
        assert result.failures == []

    def test_prose_spelling_completed(self):
        result = responses.parse_job_status("j1", {"status": "completed", "payload": {"failures": {}}})
        assert result.is_success

    def test_envelope_with_result(self):
        body = {
            "success": True,
            "data": {
                "status": "complete",
                "result": {
                    "status": "complete",
                    "payload": {"failures": {}},
                    "plan": {"rate": "b", "locked": False},
                },
            },
        }
        result = responses.parse_job_status("j1", body)
        assert result.is_success
        assert result.raw == body

    def test_envelope_status_only_inside_result(self):
        body = {"success": True, "data": {"result": {"status": "completed", "payload": {"failures": []}}}}
        assert responses.parse_job_status("j1", body).is_success

    def test_failures_as_list(self):
        result = responses.parse_job_status("j1", {"status": "complete", "payload": {"failures": [FAILURE]}})
        assert not result.is_success
        assert result.is_finished
        assert result.failures == [FAILURE]
        assert "'Test Page' (facebook, account 63c675b54e299e9cf2b667ea)" in result.failure_summary()

    def test_failures_as_dict_of_lists(self):
        body = {"status": "complete", "payload": {"failures": {"63c675b54e299e9cf2b667ea": [FAILURE]}}}
        result = responses.parse_job_status("j1", body)
        assert result.failures == [FAILURE]

    def test_failures_as_dict_of_messages_gets_account_id(self):
        body = {"status": "complete", "payload": {"failures": {"acc1": "Daily post limit reached"}}}
        result = responses.parse_job_status("j1", body)
        assert result.failures == [{"account_id": "acc1", "message": "Daily post limit reached"}]

    def test_failures_as_single_object(self):
        body = {"status": "complete", "payload": {"failures": FAILURE}}
        assert responses.parse_job_status("j1", body).failures == [FAILURE]

    def test_failed_status(self):
        result = responses.parse_job_status("j1", {"status": "failed"})
        assert result.is_finished
        assert not result.is_success

    @pytest.mark.parametrize("status", ["working", "pending", "", "cancelled", "something-new"])
    def test_non_final_or_unknown_status_never_succeeds(self, status):
        result = responses.parse_job_status("j1", {"status": status, "payload": {"failures": {}}})
        assert not result.is_success
        assert result.is_running

    def test_media_job_payload_list_is_kept(self):
        body = {"status": "complete", "payload": [{"id": "66fba4234e299e531f5dc100"}]}
        result = responses.parse_job_status("j1", body)
        assert result.is_success
        assert result.payload == [{"id": "66fba4234e299e531f5dc100"}]

    def test_to_dict_round_trip_is_json_compatible(self):
        import json

        result = responses.parse_job_status("j1", {"status": "complete", "payload": {"failures": [FAILURE]}})
        data = json.loads(json.dumps(result.to_dict()))
        back = responses.PublerJobResult.from_dict(data)
        assert back.failures == result.failures
        assert back.status == "complete"
        assert data["succeeded"] is False

    def test_not_an_object(self):
        with pytest.raises(PublerAPIError, match="unexpected job status"):
            responses.parse_job_status("j1", ["complete"])


class TestLists:
    def test_accounts_as_list(self):
        assert responses.parse_list([{"id": "a"}], "accounts") == [{"id": "a"}]

    def test_accounts_as_object(self):
        assert responses.parse_list({"accounts": [{"id": "a"}]}, "accounts") == [{"id": "a"}]

    def test_accounts_in_envelope(self):
        assert responses.parse_list({"success": True, "data": [{"id": "a"}]}, "accounts") == [{"id": "a"}]
        body = {"success": True, "data": {"accounts": [{"id": "a"}]}}
        assert responses.parse_list(body, "accounts") == [{"id": "a"}]

    def test_not_a_list(self):
        with pytest.raises(PublerAPIError, match="expected a list of accounts"):
            responses.parse_list({"accounts": "nope"}, "accounts")


def _walk(pages: list) -> tuple[list[str], int]:
    """Feed ``pages`` (answers by requested page number; past the end: the last entry) to a Pager."""
    pager = responses.Pager("posts")
    requests = 0
    while not pager.done:
        requests += 1
        pager.feed(pages[min(pager.page, len(pages) - 1)])
    return [p["id"] for p in pager.items], requests


class TestPager:
    """Paging ends on the pages requested, never on the page number Publer echoes."""

    def test_zero_based_echo_with_totals(self):
        pages = [
            {"posts": [{"id": "a"}], "page": 0, "total": 2, "total_pages": 2},
            {"posts": [{"id": "b"}], "page": 1, "total": 2, "total_pages": 2},
        ]
        assert _walk(pages) == (["a", "b"], 2)

    def test_one_based_echo_as_in_publers_docs_example(self):
        """Publer's docs show ``"page": 1, "total_pages": 3`` for a first page: trusting it lost a page."""
        pages = [{"posts": [{"id": str(n)}], "page": n + 1, "total_pages": 3} for n in range(3)] + [
            {"posts": []}
        ]
        assert _walk(pages) == (["0", "1", "2"], 3)

    def test_no_totals_ends_on_an_empty_page(self):
        assert _walk([{"posts": [{"id": "a"}]}, {"posts": [{"id": "b"}]}, {"posts": []}]) == (["a", "b"], 3)

    def test_a_server_answering_past_the_end_with_the_last_page(self):
        assert _walk([{"posts": [{"id": "a"}]}, {"posts": [{"id": "b"}]}]) == (["a", "b"], 3)

    def test_a_page_that_partly_repeats_keeps_only_new_items(self):
        pages = [{"posts": [{"id": "a"}, {"id": "b"}]}, {"posts": [{"id": "b"}, {"id": "c"}]}, {"posts": []}]
        assert _walk(pages) == (["a", "b", "c"], 3)

    def test_items_without_id_are_told_apart_by_content(self):
        pages = [{"records": [{"hashtag": "#a"}]}, {"records": [{"hashtag": "#a"}]}]
        pager = responses.Pager("records")
        while not pager.done:
            pager.feed(pages[min(pager.page, 1)])
        assert pager.items == [{"hashtag": "#a"}]

    def test_max_pages_stops_a_server_that_never_ends(self):
        pager = responses.Pager("posts", max_pages=3)
        while not pager.done:
            pager.feed({"posts": [{"id": f"p{pager.page}"}]})
        assert pager.page == 3


class TestErrors:
    def test_errors_array(self):
        assert responses.error_messages({"errors": ["bad", "worse"]}) == ["bad", "worse"]

    def test_error_string_on_429(self):
        assert responses.error_messages({"error": "Rate limit exceeded. Retry later."}) == [
            "Rate limit exceeded. Retry later."
        ]

    def test_message_and_code(self):
        assert responses.error_messages({"message": "nope", "code": "x"}) == ["nope"]

    def test_raw_text_fallback(self):
        assert responses.error_messages(None, "<html>Bad Gateway</html>") == ["<html>Bad Gateway</html>"]

    @pytest.mark.parametrize(
        ("status", "cls"),
        [
            (401, PublerAuthenticationError),
            (403, PublerPermissionError),
            (404, PublerNotFoundError),
            (429, PublerRateLimitError),
            (500, PublerServerError),
            (400, PublerAPIError),
        ],
    )
    def test_typed_errors_carry_status_and_messages(self, status, cls):
        messages = responses.error_messages({"errors": ["Publer says no"]})
        err = responses.api_error(status, messages, method="GET", path="accounts")
        assert type(err) is cls
        assert err.status_code == status
        assert err.messages == ["Publer says no"]
        assert f"HTTP {status} on GET accounts: Publer says no" in str(err)


class TestRateLimitWait:
    def test_reset_epoch(self):
        assert responses.rate_limit_wait({"X-RateLimit-Reset": "1714558492"}, now=1714558482.0) == 10.0

    def test_reset_in_the_past_is_zero(self):
        assert responses.rate_limit_wait({"x-ratelimit-reset": "1714558492"}, now=1714558500.0) == 0.0

    def test_retry_after_seconds(self):
        assert responses.rate_limit_wait({"Retry-After": "7"}, now=0) == 7.0

    def test_retry_after_http_date(self):
        wait = responses.rate_limit_wait({"Retry-After": "Wed, 01 May 2024 10:14:52 GMT"}, now=1714558482.0)
        assert wait == pytest.approx(10.0)

    def test_nothing_usable(self):
        assert responses.rate_limit_wait({"Retry-After": "soon"}, now=0) is None
        assert responses.rate_limit_wait({}, now=0) is None

    def test_rate_limit_headers(self):
        headers = {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "3",
            "X-RateLimit-Reset": "1714558492",
        }
        assert responses.rate_limit_headers(headers, now=0) == (100, 3, 1714558492.0)
        assert responses.rate_limit_headers(
            {"x-ratelimit-remaining": "3", "x-ratelimit-reset": "30"}, now=100
        ) == (None, 3, 130.0)
        assert responses.rate_limit_headers({"X-RateLimit-Remaining": "3"}, now=0) is None
