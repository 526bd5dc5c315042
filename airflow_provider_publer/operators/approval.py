"""A person approves posts before they go out, in Airflow's "Required Actions" page.

Publer's API has no approve or decline endpoint (approval states can only be filtered, and a post
locked for approval answers 403), so review happens where the pipeline runs: on Airflow's
human-in-the-loop operators (``airflow.providers.standard.operators.hitl``, Airflow 3.1+).
:class:`PublerApprovePostsOperator` is an ``ApprovalOperator`` whose request shows a preview of
the posts (:mod:`airflow_provider_publer.review`) and whose form lets the reviewer approve some
posts and edit their texts. It returns the approved posts, ready for ``PublerSchedulePostOperator``
(``posts=approve.output``), whose submission ledger keeps scheduling exactly-once. The approval
task itself sends nothing to Publer; it only reads the accounts (names and networks) and media
thumbnails for the preview, through the hook.

Importing this module needs the human-in-the-loop operators: on an Airflow without them the
import (so the DAG file) fails with an error naming the versions needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.constants import DEFAULT_CONN_ID
from airflow_provider_publer.exceptions import (
    PublerValidationError,
)
from airflow_provider_publer.masked_secrets import refuse_masked_secrets
from airflow_provider_publer.operators.base import PublerTaskMixin
from airflow_provider_publer.operators.common import PostsInputMixin
from airflow_provider_publer.review import PARAM_APPROVE, PARAM_REASON, PARAM_TEXTS
from airflow_provider_publer.validation import validate_posts

#: The Airflow and standard-provider versions whose human-in-the-loop operators this module builds on.
NEEDED_AIRFLOW = "3.1"
NEEDED_STANDARD_PROVIDER = "1.8.0"


def _needs_hitl(reason: object) -> ImportError:
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return ImportError(
        "PublerApprovePostsOperator needs Airflow's human-in-the-loop operators: Airflow "
        f"{NEEDED_AIRFLOW} or newer with apache-airflow-providers-standard {NEEDED_STANDARD_PROVIDER} "
        f"or newer (installed: apache-airflow {installed('apache-airflow')}, "
        f"apache-airflow-providers-standard {installed('apache-airflow-providers-standard')}). "
        f"Upgrade them, e.g. pip install 'apache-airflow>={NEEDED_AIRFLOW}' "
        f"'apache-airflow-providers-standard>={NEEDED_STANDARD_PROVIDER}'. ({reason})"
    )


try:
    from airflow.providers.standard.operators.hitl import ApprovalOperator
except Exception as _err:  # ImportError, or AirflowOptionalProviderFeatureException before Airflow 3.1
    raise _needs_hitl(_err) from _err

if TYPE_CHECKING:
    from airflow.sdk import Context


#: XCom key of the posts shown for approval (what the answer applies to).
XCOM_IN_REVIEW = "publer_posts_in_review"
#: XCom key of the decision: who decided, when, what was approved, edited and rejected, and why.
XCOM_APPROVAL = "publer_approval"

_DEFAULT_SUBJECT = "Approve posts to Publer"


def _airflow_page(path: str) -> str | None:
    """A page of this Airflow's UI (``[api] base_url``), e.g. the provider's Publer page; ``None``
    when the base URL is not configured."""
    try:
        from airflow.sdk import conf
    except ImportError:  # Airflow 3.1
        from airflow.configuration import conf  # type: ignore[assignment]
    base = str(conf.get("api", "base_url", fallback="") or "").rstrip("/")
    return f"{base}/{path}" if base.startswith(("http://", "https://")) else None


def _given(**options: Any) -> dict[str, Any]:
    """The options the DAG author gave (``None``: Airflow's own default)."""
    return {name: value for name, value in options.items() if value is not None}


class PublerApprovePostsOperator(PostsInputMixin, PublerTaskMixin, ApprovalOperator):
    """Ask a person to approve posts before they are scheduled; return the approved posts.

    The posts are validated exactly as ``PublerSchedulePostOperator`` validates them (nothing invalid
    is ever shown for approval), then the task waits in Airflow's Required Actions page with a
    preview: a summary, then each post by day with its account and network, its time in
    ``timezone``, its text with the count against the network's limit, media thumbnails and links.
    The reviewer chooses **Approve** or **Reject** and may fill in the form:

    - ``approve``: the numbers of the posts to approve (all by default; approve some by removing
      the others);
    - ``texts``: every text as ``"<post number>.<network>": text``; change a text to edit it;
    - ``reason``: why posts are rejected (kept with the decision).

    On **Approve** the edited posts are validated again; an invalid edit fails the task naming the
    field, and nothing is sent. The task returns the approved posts (``posts=approve.output`` for
    ``PublerSchedulePostOperator``) and pushes the decision to XCom ``publer_approval``:
    ``decision``, ``responded_by``, ``responded_at``, ``approved``, ``rejected`` (with the reason),
    ``edited``. On **Reject**, or an approval of no post, the downstream tasks are skipped. With no
    answer within ``response_timeout`` the task fails and nothing is sent, unless the DAG author
    set ``defaults`` (the provider never approves by default). The approval task sends nothing to
    Publer.

    :param posts: the posts, as ``PublerSchedulePostOperator`` takes them: a list, a calendar file
        name next to the DAG (``.json``, ``.yaml``, ``.csv``), or an upstream task's output (templated).
    :param state: ``bulk.state`` the posts will be scheduled with (validation follows it).
    :param publish_now: the posts will be published at once (validation follows it).
    :param timezone: IANA time zone of the times in the preview; default the DAG's time zone.
    :param subject: headline of the request (templated); default names the posts and the period.
    :param body: Markdown shown above the preview (templated).
    :param response_timeout: how long to wait for an answer (then the task fails, nothing is sent).
    :param defaults: what a timeout answers (``"Approve"`` or ``"Reject"``): only when set explicitly.
    :param notifiers: Airflow notifiers told when the request is waiting (e.g. with a link from
        ``HITLOperator.generate_link_to_ui_from_context``).
    :param assigned_users: who may answer, ``[{"id": ..., "name": ...}]`` as the auth manager knows them.
    :param workspace_id: workspace of the accounts (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated), to read account names.
    """

    template_fields: Sequence[str] = ("posts", "subject", "body", "state", "workspace_id", "publer_conn_id")
    template_fields_renderers = {"posts": "json", "body": "md"}
    ui_color = "#fff4d6"

    def __init__(
        self,
        *,
        posts: Any,
        state: str = "scheduled",
        publish_now: bool = False,
        timezone: str | None = None,
        subject: str | None = None,
        body: str | None = None,
        response_timeout: timedelta | None = None,
        defaults: str | list[str] | None = None,
        notifiers: Sequence[Any] | None = None,
        assigned_users: Sequence[Mapping[str, Any]] | None = None,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        if "params" in kwargs:
            raise ValueError(
                "PublerApprovePostsOperator defines its own form (approve, texts, reason); do not pass params"
            )
        from airflow.sdk import Param

        super().__init__(
            subject=subject or _DEFAULT_SUBJECT,
            body=body,
            response_timeout=response_timeout,
            params={
                PARAM_APPROVE: Param([], type="array", items={"type": "string"}),
                PARAM_TEXTS: Param({}, type="object"),
                # Optional (null allowed), but not null by default: Airflow 3.1.8's form sends a
                # field whose value is null as the field's whole definition.
                PARAM_REASON: Param("", type=["null", "string"]),
            },
            **_given(defaults=defaults, notifiers=notifiers, assigned_users=assigned_users),
            **kwargs,
        )
        self._set_posts(posts)
        self.state = state
        self.publish_now = publish_now
        self.timezone = timezone
        self.default_subject = subject is None
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    # -- asking ----------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        from airflow_provider_publer.review import Preview, post_texts

        posts = self._checked_posts()
        workspace = self._call(lambda: self.hook.resolve_workspace(self.workspace_id or None))
        accounts = {
            str(a.get("id")): a for a in self._call(lambda: self.hook.list_accounts(workspace_id=workspace))
        }
        preview = Preview(
            posts,
            accounts=accounts,
            timezone=self._timezone(context),
            media_urls=self._media_urls(posts, workspace),
            posts_url=self.hook.web_app_url(),
            calendar_url=_airflow_page("plugin/publer"),
        )
        choices = preview.choices()
        self.body = preview.markdown(intro=self.body)
        if self.default_subject:
            period = preview.period()
            self.subject = f"Approve {len(posts)} post(s) to Publer" + (
                f": {period} ({preview.timezone})" if period else ""
            )
        self._set_form(
            approve=list(choices),
            choices=choices,
            texts=post_texts(posts),
        )
        # What the answer applies to, as shown: XCom survives the wait (same try).
        context["ti"].xcom_push(key=XCOM_IN_REVIEW, value=posts)
        self.log.info("Asking for approval of %d post(s): %s", len(posts), "; ".join(choices.values()))
        return super().execute(context)

    def _set_form(self, *, approve: list[str], choices: Mapping[str, str], texts: Mapping[str, str]) -> None:
        """This request's form: the parse-time fields, with this run's posts as defaults and choices."""
        fields = {
            PARAM_APPROVE: (
                approve,
                {
                    "type": "array",
                    "items": {"type": "string"},
                    "examples": list(choices),
                    "values_display": dict(choices),
                    "title": "Posts to approve",
                },
                "The posts approved with Approve. Remove a post to leave it out.",
            ),
            PARAM_TEXTS: (
                dict(texts),
                {"type": "object", "title": "Texts"},
                'Every text, as "<post number>.<network>": text. Change a text to edit it; '
                "it is checked again before anything is sent.",
            ),
            PARAM_REASON: (
                "",
                {"type": ["null", "string"], "title": "Reason"},
                "Why posts are rejected or left out (kept with the decision).",
            ),
        }
        for name, (value, schema, description) in fields.items():
            param = self.params.get_param(name)
            param.value = value
            param.schema = schema
            param.description = description

    def _checked_posts(self) -> list[dict[str, Any]]:
        """Validate as scheduling does; nothing invalid is shown for approval."""
        source = None
        try:
            posts, source = self._posts_from_input()
            checked = validate_posts(posts, state=self.state, publish_now=self.publish_now, max_posts=None)
            refuse_masked_secrets(checked, "posts")
            return checked
        except PublerValidationError as err:
            located = source.locate(err) if source is not None else err
            raise AirflowFailException(
                f"Nothing was asked for approval nor sent to Publer. {located}"
            ) from None

    def _media_urls(self, posts: list[dict[str, Any]], workspace: str) -> dict[str, str]:
        """Thumbnails of media given by id only (one ``GET /media`` for all)."""
        ids = sorted(
            {
                str(item["id"])
                for post in posts
                for block in (post.get("networks") or {}).values()
                if isinstance(block, Mapping)
                for item in block.get("media") or []
                if isinstance(item, Mapping)
                and item.get("id")
                and not (item.get("path") or item.get("thumbnail"))
            }
        )
        if not ids:
            return {}
        media = self._call(lambda: self.hook.list_media(ids=ids, workspace_id=workspace))
        urls = {}
        for item in media:
            thumbnails = item.get("thumbnails")
            thumb = thumbnails[0] if isinstance(thumbnails, list) and thumbnails else thumbnails
            if isinstance(thumb, Mapping):
                thumb = thumb.get("small") or thumb.get("real") or next(iter(thumb.values()), None)
            url = thumb or item.get("thumbnail") or item.get("path")
            if isinstance(url, str) and url:
                urls[str(item.get("id"))] = url
        return urls

    def _timezone(self, context: Context) -> str:
        if self.timezone:
            return self.timezone
        dag_tz = getattr(context.get("dag"), "timezone", None)
        return str(getattr(dag_tz, "name", None) or "UTC")

    def _call(self, func: Any, what: str = "Reading the accounts for the preview failed: ") -> Any:
        return super()._call(func, what)

    # -- the answer ------------------------------------------------------------------------------

    def process_trigger_event_error(self, event: dict[str, Any]) -> None:
        if event.get("error_type") == "timeout":
            raise AirflowFailException(
                f"No answer within the response timeout ({self.response_timeout}): nothing was sent to "
                "Publer. Clear this task to ask again."
            )
        raise AirflowFailException(
            f"The approval request failed; nothing was sent to Publer: {event.get('error')}"
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        from airflow_provider_publer.review import apply_answer

        if "error" in event:
            self.process_trigger_event_error(event)
        ti = context["ti"]
        posts = ti.xcom_pull(task_ids=self.task_id, key=XCOM_IN_REVIEW, map_indexes=ti.map_index) or []
        params_input = dict(event.get("params_input") or {})
        reason = params_input.get(PARAM_REASON) or None
        record: dict[str, Any] = {
            "decision": "rejected",
            "responded_by": _user(event.get("responded_by_user")),
            "responded_at": _iso(event.get("responded_at")),
            "timed_out": event.get("responded_by_user") is None,
            "reason": reason,
            "approved": [],
            "rejected": [],
            "edited": [],
        }
        who = _who(record)
        if list(event.get("chosen_options") or [])[:1] == [self.REJECT]:
            # Recorded first: skipping the downstream tasks ends the task (Airflow 3 raises).
            record["rejected"] = [{"post": n, "reason": reason} for n in range(1, len(posts) + 1)]
            self._finish(ti, record, f"Rejected by {who}: nothing is sent to Publer" + _why(reason))
            super().execute_complete(context=context, event=event)
            return []
        super().execute_complete(context=context, event=event)
        try:
            decision = apply_answer(
                posts,
                params_input.get(PARAM_APPROVE),
                params_input.get(PARAM_TEXTS),
                state=self.state,
                publish_now=self.publish_now,
            )
        except PublerValidationError as err:
            record["decision"] = "refused"
            record["error"] = str(err)
            ti.xcom_push(key=XCOM_APPROVAL, value=record)
            raise AirflowFailException(
                f"The answer of {who} is refused and nothing was sent to Publer: {err}. "
                "Clear this task to ask again."
            ) from None
        record.update(
            approved=decision.approved,
            rejected=[{"post": n, "reason": reason} for n in decision.rejected],
            edited=decision.edited,
        )
        if not decision.approved:
            self._finish(ti, record, f"Approved by {who} with no post selected: nothing is sent to Publer")
            self._skip_downstream(context)
            return []
        record["decision"] = "approved"
        edited = f"; texts edited: {', '.join(decision.edited)}" if decision.edited else ""
        left_out = f"; left out: {_numbers(decision.rejected)}{_why(reason)}" if decision.rejected else ""
        self._finish(
            ti,
            record,
            f"Approved by {who}: post(s) {_numbers(decision.approved)} of {len(posts)}{edited}{left_out}",
        )
        return decision.posts

    def _finish(self, ti: Any, record: dict[str, Any], message: str) -> None:
        ti.xcom_push(key=XCOM_APPROVAL, value=record)
        self.log.info("%s (answered %s)", message, record["responded_at"])

    def _skip_downstream(self, context: Context) -> None:
        task = context["task"]
        relatives = (
            task.get_flat_relatives(upstream=False)
            if self.ignore_downstream_trigger_rules
            else task.get_direct_relatives(upstream=False)
        )
        tasks = [t for t in relatives if not t.is_teardown]
        if tasks:
            self.skip(ti=context["ti"], tasks=tasks)


def _user(user: Any) -> dict[str, str] | None:
    if not isinstance(user, Mapping):
        return None
    return {"id": str(user.get("id")), "name": str(user.get("name"))}


def _who(record: Mapping[str, Any]) -> str:
    user = record.get("responded_by")
    if user is None:
        return "the default answer after the response timeout"
    return f"{user['name']} (id {user['id']})"


def _iso(when: Any) -> str | None:
    return when.isoformat() if hasattr(when, "isoformat") else (str(when) if when else None)


def _why(reason: str | None) -> str:
    return f" (reason: {reason})" if reason else ""


def _numbers(numbers: Sequence[int]) -> str:
    return ", ".join(f"#{n}" for n in numbers)


__all__ = ["XCOM_APPROVAL", "XCOM_IN_REVIEW", "PublerApprovePostsOperator"]
