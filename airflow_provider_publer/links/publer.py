"""Extra links from a task to Publer.

Airflow 3 computes extra links on the worker when the task finishes (and each time it
defers or is rescheduled) and stores them in XCom, so the operator and the sensor push
the URLs a link needs (under the keys below) while they run; the links only read them
back. A link whose URL was never pushed is empty and Airflow hides it: no link points
anywhere that does not exist.

Reading a key that was never pushed must not log anything: Airflow's plain XCom read
(``XCom.get_value``) logs ``[error] XCom not found`` for it, in the log of a task that
did nothing wrong (the "Published post" link has no URL until Publer published a post).
So the links ask for every value of the key in the task's run (one request, an empty
answer when there is none) and take the task instance's own.

A task that waits for several posts (``PublerPostSensor``) links each one: "Published post"
for the first, "Published post 2" ... "Published post 10" for the next ones, read from the
list of URLs it pushes under ``publer_post_links``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs
from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

XCOM_POSTS_URL = "publer_posts_url"
XCOM_POST_LINK = "publer_post_link"

#: Task states in which the task has not finished: it is waiting, its final links come later.
_WAITING_STATES = frozenset({"deferred", "up_for_reschedule"})


class _XComURLLink(BaseOperatorLink):
    """A link whose URL the task pushed to XCom under :attr:`url_key`."""

    url_key: ClassVar[str] = ""
    #: True when the task pushes the URL only as it finishes: no lookup while it waits.
    pushed_when_finished: ClassVar[bool] = False

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        if self.pushed_when_finished and _state(ti_key) in _WAITING_STATES:
            return ""
        value = _pushed_value(ti_key, self.url_key)
        return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


class PublerJobPostsLink(_XComURLLink):
    """Publer's web app view of the posts of the task's job."""

    name = "Publer posts"
    url_key = XCOM_POSTS_URL


class PublerPostLink(_XComURLLink):
    """The published post itself (Publer's ``post_link``), once Publer has published it."""

    name = "Published post"
    url_key = XCOM_POST_LINK
    pushed_when_finished = True


def _pushed_value(ti_key: TaskInstanceKey, key: str) -> Any:
    """The value the task instance pushed under ``key``, or ``None``; never logs a missing key."""
    from airflow.sdk.execution_time.xcom import XCom

    # Every map index's value of the key in this run; None when there is none (no error logged).
    values = XCom.get_all(key=key, dag_id=ti_key.dag_id, task_id=ti_key.task_id, run_id=ti_key.run_id)
    if not values:
        return None
    if ti_key.map_index is None or ti_key.map_index < 0:
        return values[0]  # an unmapped task has one value per key
    # A mapped task: some instance pushed the key, so look up this instance's own value.
    return XCom.get_value(ti_key=ti_key, key=key)


def _state(ti_key: TaskInstanceKey) -> str | None:
    """The task instance's state when Airflow passes the running instance (it does as links are made)."""
    state = getattr(ti_key, "state", None)
    return None if state is None else str(getattr(state, "value", state))


#: XCom key of the links of every post a task found published (a list of URLs, in its order).
XCOM_POST_LINKS = "publer_post_links"

#: How many posts get an extra link of their own ("Published post", "Published post 2", ...).
MAX_POST_LINKS = 10


@attrs.define
class PublerPublishedPostLink(BaseOperatorLink):
    """The ``index``-th post a task found published ("Published post 2" ... "Published post 10").

    The first post has :class:`PublerPostLink`. Link ``index`` (the post's place in the task's
    result, from 2) reads the URL at that place in the list the task pushed under
    ``publer_post_links``; a task with fewer posts leaves the rest empty (hidden).
    """

    index: int = 2

    @property
    def name(self) -> str:
        return f"Published post {self.index}"

    @property
    def xcom_key(self) -> str:
        return f"_link_PublerPublishedPostLink_{self.index}"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        if _state(ti_key) in _WAITING_STATES:
            return ""
        links = _pushed_value(ti_key, XCOM_POST_LINKS)
        if not isinstance(links, list) or len(links) < self.index:
            return ""
        value = links[self.index - 1]
        return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def published_post_links() -> tuple[BaseOperatorLink, ...]:
    """The links of a task that finds published posts: one per post, up to :data:`MAX_POST_LINKS`."""
    return (PublerPostLink(), *(PublerPublishedPostLink(index) for index in range(2, MAX_POST_LINKS + 1)))
