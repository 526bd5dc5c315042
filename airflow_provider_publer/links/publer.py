"""Extra links from a task to Publer.

Airflow 3 computes extra links on the worker when the task finishes and stores
them in XCom, so the operator and the sensor push the URLs a link needs (under
the keys below) while they run; the links only read them back. A link whose URL
was never pushed is empty and Airflow hides it: no link points anywhere that
does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

XCOM_POSTS_URL = "publer_posts_url"
XCOM_POST_LINK = "publer_post_link"


class _XComURLLink(BaseOperatorLink):
    """A link whose URL the task pushed to XCom under :attr:`url_key`."""

    url_key: ClassVar[str] = ""

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        from airflow.sdk.execution_time.xcom import XCom

        value: Any = XCom.get_value(ti_key=ti_key, key=self.url_key)
        return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


class PublerJobPostsLink(_XComURLLink):
    """Publer's web app view of the posts of the task's job."""

    name = "Publer posts"
    url_key = XCOM_POSTS_URL


class PublerPostLink(_XComURLLink):
    """The published post itself (Publer's ``post_link``), once Publer has published it."""

    name = "Published post"
    url_key = XCOM_POST_LINK
