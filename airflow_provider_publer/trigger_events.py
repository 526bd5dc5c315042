"""The events the provider's triggers send back to their tasks, typed.

A trigger's event crosses a process boundary (the triggerer stores it in the metadata database as
JSON and a worker resumes the task with it), so it is plain JSON, never a pickled object. This
module is the one place that says what each event holds: each kind is a frozen dataclass whose
``to_payload()`` is the JSON the trigger yields (a ``TypedDict``, as Airflow's own HITL trigger
types its payloads) and whose ``from_payload`` reads it back. :func:`parse_job_event` and
:func:`parse_posts_event` read any payload; one that is not exactly a known kind is refused
(:class:`UnusableEventError`), so a resumed task acts only on an event it understands, and
only :class:`JobsSucceeded` / :class:`PostsSucceeded` let it succeed.

Nothing here imports Airflow: the triggers build the events, the judging lives in
:mod:`airflow_provider_publer.job_outcomes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

#: Status of an event that lets the waiting task succeed; every other status fails it.
SUCCESS = "success"


class UnusableEventError(ValueError):
    """A trigger event that is not one of the kinds below (malformed, or from another trigger)."""


# -- the JSON payloads --------------------------------------------------------------------------------


class JobOutcomePayload(TypedDict, total=False):
    """A job's outcome as the provider reports it (``PublerJobResult.to_dict()`` and the combined form)."""

    job_id: str
    status: str
    succeeded: bool
    failures: list[dict[str, Any]]
    payload: Any
    job_ids: list[str]
    jobs: list[dict[str, Any]]


class JobEventPayload(TypedDict, total=False):
    """What :class:`~airflow_provider_publer.triggers.publer.PublerJobTrigger` yields."""

    status: Literal["success", "failed", "timeout", "error"]
    job_id: str
    result: JobOutcomePayload
    message: str


class PostsEventPayload(TypedDict, total=False):
    """What :class:`~airflow_provider_publer.triggers.publer.PublerPostTrigger` yields."""

    status: Literal["success", "failed", "gone", "timeout", "error"]
    posts: list[dict[str, Any]]
    failed: list[dict[str, Any]]
    pending: list[str]
    post_ids: list[str]
    message: str


# -- the job trigger's events -----------------------------------------------------------------------


@dataclass(frozen=True)
class JobsSucceeded:
    """Every job finished ``complete`` with no failed account: the only event a task succeeds on.

    :param job_id: the job id (several: joined by ``", "``).
    :param result: the (combined) outcome; its ``succeeded`` is ``True``.
    """

    job_id: str
    result: dict[str, Any]
    status: Literal["success"] = "success"

    def to_payload(self) -> JobEventPayload:
        return {"status": self.status, "result": self.result, "job_id": self.job_id}  # type: ignore[typeddict-item]

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> JobsSucceeded:
        result = _outcome(payload)
        if result.get("succeeded") is not True:
            raise UnusableEventError(f"a success event whose result did not succeed: {result!r}")
        return cls(job_id=_text(payload, "job_id", str(result.get("job_id") or "")), result=result)


@dataclass(frozen=True)
class JobsFailed:
    """The jobs finished, and Publer failed at least one account (or a job ended ``failed``).

    :param job_id: the job id (several: joined by ``", "``).
    :param result: the (combined) outcome, with every failure.
    """

    job_id: str
    result: dict[str, Any]
    status: Literal["failed"] = "failed"

    def to_payload(self) -> JobEventPayload:
        return {"status": self.status, "result": self.result, "job_id": self.job_id}  # type: ignore[typeddict-item]

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> JobsFailed:
        result = _outcome(payload)
        return cls(job_id=_text(payload, "job_id", str(result.get("job_id") or "")), result=result)


@dataclass(frozen=True)
class WaitTimedOut:
    """The wait's deadline passed first.

    :param message: what did not happen in time.
    :param job_id: the jobs waited for (job events).
    :param pending: the posts not in the awaited state yet (post events).
    """

    message: str
    job_id: str | None = None
    pending: list[str] = field(default_factory=list)
    status: Literal["timeout"] = "timeout"

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.job_id is not None:
            payload["job_id"] = self.job_id
        else:
            payload["pending"] = list(self.pending)
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> WaitTimedOut:
        job_id = payload.get("job_id")
        return cls(
            message=_text(payload, "message"),
            job_id=None if job_id is None else str(job_id),
            pending=_strings(payload.get("pending") or []),
        )


@dataclass(frozen=True)
class WaitErrored:
    """Publer answered with an error waiting cannot fix (bad key, no access, unknown job).

    :param message: Publer's error, as the hook words it.
    :param job_id: the jobs waited for (job events).
    :param post_ids: the posts waited for (post events).
    """

    message: str
    job_id: str | None = None
    post_ids: list[str] = field(default_factory=list)
    status: Literal["error"] = "error"

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.job_id is not None:
            payload["job_id"] = self.job_id
        else:
            payload["post_ids"] = list(self.post_ids)
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> WaitErrored:
        job_id = payload.get("job_id")
        return cls(
            message=_text(payload, "message"),
            job_id=None if job_id is None else str(job_id),
            post_ids=_strings(payload.get("post_ids") or []),
        )


JobEvent = JobsSucceeded | JobsFailed | WaitTimedOut | WaitErrored


def parse_job_event(payload: Any) -> JobEvent:
    """Read a :class:`PublerJobTrigger` event; anything that is not exactly one kind is refused.

    :raises UnusableEventError: not a mapping, an unknown status, or a field missing or mistyped.
    """
    kinds: dict[str, Any] = {
        "success": JobsSucceeded,
        "failed": JobsFailed,
        "timeout": WaitTimedOut,
        "error": WaitErrored,
    }
    parsed: JobEvent = _parse(payload, kinds)
    return parsed


# -- the post trigger's events ----------------------------------------------------------------------


@dataclass(frozen=True)
class PostsSucceeded:
    """Every post reached the awaited state: the only post event a task succeeds on.

    :param posts: the posts as the sensor returns them (``{id, account_id, network, state, ...}``).
    """

    posts: list[dict[str, Any]]
    status: Literal["success"] = "success"

    def to_payload(self) -> PostsEventPayload:
        return {"status": self.status, "posts": self.posts}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PostsSucceeded:
        return cls(posts=_posts(payload, "posts"))


@dataclass(frozen=True)
class PostsFailed:
    """Publer failed at least one post at its time.

    :param message: every failed post with its account, network, time and Publer's reason.
    :param posts: the posts that did reach the awaited state.
    :param failed: the failed posts as Publer listed them.
    """

    message: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    status: Literal["failed"] = "failed"

    def to_payload(self) -> PostsEventPayload:
        return {"status": self.status, "message": self.message, "posts": self.posts, "failed": self.failed}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PostsFailed:
        return cls(
            message=_text(payload, "message"),
            posts=_posts(payload, "posts", required=False),
            failed=_posts(payload, "failed", required=False),
        )


@dataclass(frozen=True)
class PostsGone:
    """Posts awaited are no longer on Publer (deleted while the wait went on).

    :param message: which posts are gone and what to do.
    :param post_ids: the posts that are gone.
    """

    message: str
    post_ids: list[str] = field(default_factory=list)
    status: Literal["gone"] = "gone"

    def to_payload(self) -> PostsEventPayload:
        return {"status": self.status, "message": self.message, "post_ids": self.post_ids}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PostsGone:
        return cls(message=_text(payload, "message"), post_ids=_strings(payload.get("post_ids") or []))


PostsEvent = PostsSucceeded | PostsFailed | PostsGone | WaitTimedOut | WaitErrored


def parse_posts_event(payload: Any) -> PostsEvent:
    """Read a :class:`PublerPostTrigger` event; anything that is not exactly one kind is refused.

    :raises UnusableEventError: not a mapping, an unknown status, or a field missing or mistyped.
    """
    kinds: dict[str, Any] = {
        "success": PostsSucceeded,
        "failed": PostsFailed,
        "gone": PostsGone,
        "timeout": WaitTimedOut,
        "error": WaitErrored,
    }
    parsed: PostsEvent = _parse(payload, kinds)
    return parsed


# -- reading ------------------------------------------------------------------------------------------


def _parse(payload: Any, kinds: Mapping[str, Any]) -> Any:
    if not isinstance(payload, Mapping):
        raise UnusableEventError(f"the event is not a JSON object: {payload!r}")
    status = payload.get("status")
    kind = kinds.get(status) if isinstance(status, str) else None
    if kind is None:
        raise UnusableEventError(f"the event's status {status!r} is none of {', '.join(kinds)}")
    return kind.from_payload(payload)


def _outcome(payload: Mapping[str, Any]) -> dict[str, Any]:
    result = payload.get("result")
    if not isinstance(result, Mapping) or not isinstance(result.get("job_id"), str):
        raise UnusableEventError(f"the event carries no job outcome: {payload!r}")
    return dict(result)


def _text(payload: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = payload.get(key, default)
    if not isinstance(value, str):
        raise UnusableEventError(f"the event's {key!r} is not a text: {payload!r}")
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise UnusableEventError(f"expected a list of ids, got {value!r}")
    return [str(item) for item in value]


def _posts(payload: Mapping[str, Any], key: str, *, required: bool = True) -> list[dict[str, Any]]:
    value = payload.get(key, None if required else [])
    if not isinstance(value, list) or not all(isinstance(post, Mapping) for post in value):
        raise UnusableEventError(f"the event's {key!r} is not a list of posts: {payload!r}")
    return [dict(post) for post in value]


__all__ = [
    "SUCCESS",
    "JobEvent",
    "JobEventPayload",
    "JobOutcomePayload",
    "JobsFailed",
    "JobsSucceeded",
    "PostsEvent",
    "PostsEventPayload",
    "PostsFailed",
    "PostsGone",
    "PostsSucceeded",
    "UnusableEventError",
    "WaitErrored",
    "WaitTimedOut",
    "parse_job_event",
    "parse_posts_event",
]
