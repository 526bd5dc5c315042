"""Operators that change or remove what Publer holds: :class:`PublerUpdatePostOperator` and
:class:`PublerDeletePostsOperator`.

A delete counts a post as deleted only when Publer said so (in this try, or recorded by an
earlier one), or when the post was listed right before this request's own DELETE and is no
longer listed after it (a lost answer); an id Publer never listed is never reported deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.constants import DEFAULT_CONN_ID, XCOM_DELETED_IDS
from airflow_provider_publer.links.publer import XCOM_POST_LINK, PublerPostLink
from airflow_provider_publer.operators.base import NOTHING_SENT
from airflow_provider_publer.operators.common import PublerOperator, task_ledger

if TYPE_CHECKING:
    from airflow.sdk import Context


class PublerUpdatePostOperator(PublerOperator):
    """Change a post on Publer (``PUT /posts/{id}``) and return Publer's ``PostDetail``.

    The change is checked before it is sent (fields Publer's update takes: ``type, text, url,
    title, excerpt, question, duration, featured_media, media, link, labels``; a blank text is
    refused). Publer's refusals fail the task without retries, with Publer's reason and what it
    means: 403 for a post published with approval (no one may change it), 422 for a change the
    network does not allow after publishing (LinkedIn: text only; X, Instagram, Pinterest,
    Threads, Bluesky: labels only), 404 for an unknown post. A PUT sets the same fields each time,
    so Airflow retries after network trouble are harmless. The "Published post" link opens the
    post when Publer has published it.

    A new text is checked against the limit of the post's network, counted as that network
    counts, before anything is changed: the network is ``network`` when given, else the one
    Publer lists for the post (one look at ``GET /posts`` before the ``PUT``).

    :param post_id: the post's id (templated), e.g. from ``GET /posts``, or a mapped task's output
        holding exactly one id.
    :param post: the fields to change (templated, shown as JSON), e.g. ``{"text": "New text"}``;
        ``{"post": {...}}`` works too.
    :param network: the post's network key (``twitter``, ``bluesky``, ...; templated) for the text
        check; by default the network Publer lists for the post.
    :param workspace_id: the post's workspace (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    """

    template_fields: Sequence[str] = ("post_id", "post", "network", "workspace_id", "publer_conn_id")
    template_fields_renderers = {"post": "json"}
    operator_extra_links = (PublerPostLink(),)
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        post_id: str,
        post: Any,
        network: str | None = None,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.post_id = post_id
        self.post = post
        self.network = network
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_publer.validation import validate_post_id, validate_post_update

        post_id = self._checked(lambda: validate_post_id(self.post_id))
        body = self._checked(lambda: validate_post_update(self.post))
        workspace = self._workspace()
        if "text" in body:
            network = self.network or self._network_of(post_id, workspace)
            self._checked(lambda: check_update_text(body, network))
        detail: dict[str, Any] = self._call(
            lambda: self.hook.update_post(post_id, body, workspace_id=workspace),
            f"Post {post_id} was not updated. ",
        )
        if detail.get("post_link"):
            context["ti"].xcom_push(key=XCOM_POST_LINK, value=str(detail["post_link"]))
        return detail

    def _network_of(self, post_id: str, workspace: str) -> str | None:
        """The network Publer lists for the post (``None`` when it lists none)."""
        found = self._call(
            lambda: self.hook.find_posts([post_id], workspace_id=workspace),
            f"Post {post_id} was not updated: looking it up failed. ",
        )
        post = found.get(post_id)
        if post is None:
            raise AirflowFailException(
                f"{NOTHING_SENT} post_id: Publer lists no post {post_id} in workspace {workspace} (an "
                "unknown id, or another workspace's); check the id, or pass workspace_id"
            )
        network = post.get("network")
        return str(network) if network else None


def check_update_text(body: dict[str, Any], network: str | None) -> None:
    """Check an update's new text against the network's limit, counted as the network counts
    (:func:`~airflow_provider_publer.validation.validate_post_update` with the post's network).

    :raises PublerValidationError: the text is longer than the network allows.
    """
    from airflow_provider_publer.validation import validate_post_update

    if network is not None:
        validate_post_update(body, network=network)


class PublerDeletePostsOperator(PublerOperator):
    """Delete posts on Publer (``DELETE /posts?post_ids[]=``) and return the ids deleted.

    Publer answers with the ids it deleted and silently keeps the others: queued
    (auto-scheduled) posts, private drafts of another member, published posts needing approval
    for restricted roles, unknown ids. The task then fails without retries, naming every post
    that was not deleted with its state as Publer lists it (the deleted ids are in the XCom
    ``publer_deleted_ids``). A post counts as deleted only when Publer said so, in this try or
    recorded by an earlier one, or when it was listed right before this task's own DELETE (the
    ledger keeps which posts were) and is no longer listed after it (the answer was lost): an
    id Publer never listed is never reported deleted, however often the task is cleared.

    :param post_ids: one id or a list (templated), e.g. from ``GET /posts``, or a mapped task's
        output (ids, or lists of ids, are flattened).

    :param workspace_id: the posts' workspace (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    """

    template_fields: Sequence[str] = ("post_ids", "workspace_id", "publer_conn_id")
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        post_ids: Any,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.post_ids = post_ids
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    def execute(self, context: Context) -> list[str]:
        from airflow_provider_publer.exactly_once import Recovery, send_once
        from airflow_provider_publer.ledger import BatchRecord, decode_ids, encode_ids, request_key
        from airflow_provider_publer.validation import validate_post_ids

        ids = self._checked(lambda: validate_post_ids(self.post_ids))
        workspace = self._workspace()
        ledger = task_ledger(context)
        key = request_key(0, [{"delete": ids}], "delete", workspace)
        targets = list(ids)
        still: dict[str, dict[str, Any]] = {}

        def gone(candidates: list[str]) -> set[str]:
            """Posts listed right before the DELETE (the ledger keeps them) that are no longer listed."""
            record = ledger.record(key)
            before = [c for c in candidates if record is not None and c in record.preexisting]
            listed = (
                self._call(lambda: self.hook.find_posts(before, workspace_id=workspace)) if before else {}
            )
            still.update(listed)
            return {c for c in before if c not in listed}

        def delete(earlier: set[str]) -> Callable[[], str]:
            def request() -> str:
                said = {str(i) for i in self.hook.delete_posts(targets, workspace_id=workspace)}
                return encode_ids(earlier | said | gone([t for t in targets if t not in said]))

            return request

        def recover(record: BatchRecord | None, lost: bool) -> Recovery:
            earlier = set(decode_ids(record.job_id or "")) if record is not None else set()
            done = earlier | gone([i for i in targets if i not in earlier])
            rest = [i for i in ids if i not in done]
            if lost or not rest:
                return Recovery(result=encode_ids(done))
            targets[:] = rest
            return Recovery(request=delete(done))

        def snapshot() -> list[str]:
            return list(self._call(lambda: self.hook.find_posts(targets, workspace_id=workspace)))

        result_ref = self._call(
            lambda: send_once(
                ledger,
                key,
                delete(set()),
                recover=recover,
                reusable=lambda result: set(ids) <= set(decode_ids(result)),
                snapshot=snapshot,
            )
        )
        done = set(decode_ids(result_ref))
        result = [post_id for post_id in ids if post_id in done]
        kept = [post_id for post_id in ids if post_id not in done]
        context["ti"].xcom_push(key=XCOM_DELETED_IDS, value=result)
        if kept:
            raise AirflowFailException(_not_deleted_message(kept, still, result, workspace))
        self.log.info("Publer deleted %d post(s): %s", len(result), ", ".join(result))
        return result


def _not_deleted_message(
    kept: list[str], still: dict[str, dict[str, Any]], deleted: list[str], workspace: str
) -> str:
    lines = []
    for post_id in kept:
        post = still.get(post_id)
        if post is None:
            lines.append(
                f"post {post_id}: not found in workspace {workspace} (an unknown id, or another workspace's)"
            )
        else:
            lines.append(
                f"post {post_id} ({post.get('state') or 'state unknown'}, account "
                f"{post.get('account_id') or '?'}, {post.get('network') or 'unknown network'}): still listed"
            )
    done = f"Deleted: {', '.join(deleted)}. " if deleted else "Nothing was deleted. "
    return (
        f"Publer did not delete {len(kept)} post(s):\n"
        + "\n".join(lines)
        + f"\n{done}Publer deletes no queued "
        "(auto-scheduled) post, a private draft only for its creator, and a published post needing approval "
        "not for restricted roles."
    )
