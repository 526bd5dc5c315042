"""What the provider's operator modules share beyond the task base: the operators' base class, the
task's ledger, ids taken from XCom (mapped tasks too), and output paths.

Why a module: :mod:`~airflow_provider_publer.operators.posts`, ``media``, ``manage`` and
``insights`` each need these, and one home keeps them alike. Cheap to import at DAG parse time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.exceptions import PublerError
from airflow_provider_publer.operators.base import NOTHING_SENT, PublerTaskMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.ledger import SubmissionLedger


class PublerOperator(PublerTaskMixin, BaseOperator):
    """What the provider's operators share: the hook, the workspace, and input checked before sending."""

    def __init__(self, **kwargs: Any) -> None:
        # Its own ``__init__`` (taking only ``**kwargs``): Airflow reads the defaults of a mapped
        # task's arguments from the ``__init__`` of every class between the operator and
        # ``BaseOperator``, and would otherwise take BaseOperator's ``inlets=None`` for ``[]``.
        super().__init__(**kwargs)


# Kept for code that subclassed the operators' former private base.
_PublerTask = PublerOperator


def task_ledger(context: Context) -> SubmissionLedger:
    """The running task instance's submission ledger; an unreadable one fails the task for good."""
    from airflow_provider_publer.ledger import SubmissionLedger

    try:
        return SubmissionLedger.for_task(context)
    except PublerError as err:
        raise AirflowFailException(f"{NOTHING_SENT} {err}") from None


def now() -> datetime:
    return datetime.now(timezone.utc)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def flat_items(value: Any) -> Any:
    """Items taken from XCom as one flat list: a mapped task's output (a lazy sequence of items, or
    of lists of items, as a calendar or upload task returns) and nested lists become one list; a
    string, a mapping (one media object) and anything that is not a sequence are left as they are.
    """
    if value is None or isinstance(value, (str, bytes, Mapping)) or not _is_sequence(value):
        return value
    from airflow_provider_publer.ids import xcom_items

    items: list[Any] = []
    for item in xcom_items(value):
        if item is not None and not isinstance(item, (str, bytes, Mapping)) and _is_sequence(item):
            items.extend(flat_items(item))
        else:
            items.append(item)
    return items


def _is_sequence(value: Any) -> bool:
    """A list, a tuple or a lazy XCom sequence (a mapped task's output), not a path or an XComArg."""
    import os

    if isinstance(value, (list, tuple)):
        return True
    if isinstance(value, os.PathLike) or hasattr(value, "protocol") or hasattr(value, "resolve"):
        return False
    from collections.abc import Sequence

    return isinstance(value, Sequence) or type(value).__name__ == "LazyXComSequence"


#: What a calendar file's templates see: the run's dates, id and params, the date macros below and
#: the DAG's own ``user_defined_macros``. Never a connection (``conn``), a Variable (``var``), the task,
#: the DAG or the task instance: a calendar file is data, and whoever edits it must not be able to
#: publish a connection's password or a Variable, nor run code of the task.
CALENDAR_CONTEXT_KEYS = frozenset(
    {
        "ds",
        "ds_nodash",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "logical_date",
        "data_interval_start",
        "data_interval_end",
        "prev_data_interval_start_success",
        "prev_data_interval_end_success",
        "prev_start_date_success",
        "prev_end_date_success",
        "run_id",
        "dag_run",
        "params",
        "map_index_template",
    }
)

#: Airflow's date macros a calendar file may use as ``macros.<name>`` (Airflow's ``macros`` module
#: itself also holds whole modules, ``json``, ``uuid``, ``yaml``..., which reach the file system
#: and the process's environment: never given to a calendar file).
CALENDAR_MACROS = (
    "ds_add",
    "ds_format",
    "ds_format_locale",
    "datetime_diff_for_humans",
    "datetime",
    "timedelta",
)

#: The longest text a calendar file's templates may produce (the file's own limit).
_MAX_RENDERED = 50_000_000
#: The largest number a calendar template may raise to a power or repeat a text by.
_MAX_FACTOR = 1_000_000

#: Jinja comments are switched off in calendar files: ``{# ... #}`` in a text is sent as written.
_NO_COMMENTS = "\x00publer-no-comment-start\x00", "\x00publer-no-comment-end\x00"


class PostsInputMixin:
    """How an operator reads ``posts``: a list, an upstream task's output, or a calendar file.

    Used by ``PublerSchedulePostOperator`` and ``PublerApprovePostsOperator``, so both read the
    same posts the same way. A calendar file named by ``posts`` (``.json``, ``.yaml``, ``.csv``,
    found next to the DAG file or in ``template_searchpath``) is rendered with Jinja for its dates
    and macros, but with :data:`CALENDAR_CONTEXT_KEYS` only and without Jinja comments: data never
    becomes code. Strings inside a list of posts are rendered as the DAG author's own template
    arguments, and a text that merely ends like a file name stays text. An upstream task's output
    (XCom) is never rendered.
    """

    posts: Any
    posts_file: str | None

    def _set_posts(self, posts: Any) -> None:
        from airflow_provider_publer.post_files import is_post_file

        self.posts = posts
        #: The calendar file ``posts`` names (``.json``, ``.yaml``, ``.csv``), read when the task runs.
        self.posts_file = posts.strip() if is_post_file(posts) else None

    def render_template(
        self, content: Any, context: Any, jinja_env: Any = None, seen_oids: set[int] | None = None
    ) -> Any:
        if isinstance(content, str) and self.posts_file and content is self.posts:
            return self._render_calendar_file(content, context, jinja_env)
        return super().render_template(content, context, jinja_env, seen_oids)  # type: ignore[misc]

    def _render_calendar_file(self, content: str, context: Any, jinja_env: Any) -> str:
        import jinja2

        env = jinja_env or self.get_template_env()  # type: ignore[attr-defined]
        name = self.posts_file or content
        if content.strip() == name:
            try:
                source = env.loader.get_source(env, name)[0]
            except jinja2.TemplateNotFound:
                raise AirflowFailException(
                    f"{NOTHING_SENT} posts: the calendar file {name!r} was not found next to the DAG file "
                    "nor in the DAG's template_searchpath; check its name and folder"
                ) from None
        else:
            source = content  # Airflow read the file already
        calendar_env = _CalendarEnvironment(
            loader=jinja2.FunctionLoader(_no_other_file),
            undefined=env.undefined,
            comment_start_string=_NO_COMMENTS[0],
            comment_end_string=_NO_COMMENTS[1],
            keep_trailing_newline=True,
        )
        calendar_env.globals.update(env.globals)
        calendar_env.filters.update(env.filters)
        visible = {key: value for key, value in dict(context).items() if key in CALENDAR_CONTEXT_KEYS}
        visible["macros"] = _calendar_macros()
        if len(source) > _MAX_RENDERED:
            raise AirflowFailException(
                f"{NOTHING_SENT} {name}: has {len(source):,} characters, more than the {_MAX_RENDERED:,} a "
                "calendar file may hold; split it into several files (one mapped task per file)"
            )
        try:
            return _render_bounded(calendar_env.from_string(source), visible, name)
        except jinja2.UndefinedError as err:
            raise AirflowFailException(
                f"{NOTHING_SENT} {name}: {err}. A calendar file's templates see the run's dates, run_id, "
                "dag_run, params, the date macros and the DAG's user_defined_macros "
                f"({', '.join(sorted(visible))}), never connections, Variables, modules or the task: a "
                "calendar file is data"
            ) from None
        except jinja2.TemplateError as err:
            raise AirflowFailException(
                f"{NOTHING_SENT} {name}: its templates cannot be rendered: {err}"
            ) from None

    def _posts_from_input(self, posts: Any = None) -> tuple[Any, Any]:
        """The posts to validate and, for a calendar file, the file (to name its rows in errors)."""
        from airflow_provider_publer.post_files import read_post_file

        if posts is None and self.posts_file:
            source = read_post_file(self.posts_file, str(self.posts))
            return source.posts, source
        return (self.posts if posts is None else posts), None


def _calendar_macros() -> Any:
    """``macros`` as a calendar file sees it: Airflow's date functions only (:data:`CALENDAR_MACROS`)."""
    from types import SimpleNamespace

    try:
        from airflow.sdk.execution_time import macros
    except ImportError:  # pragma: no cover - every supported Airflow has it
        return SimpleNamespace()
    return SimpleNamespace(
        **{name: getattr(macros, name) for name in CALENDAR_MACROS if hasattr(macros, name)}
    )


def _render_bounded(template: Any, context: dict[str, Any], name: str) -> str:
    """Render, refusing output past the file's own size limit before it fills the memory."""
    parts: list[str] = []
    size = 0
    for part in template.generate(**context):
        size += len(part)
        if size > _MAX_RENDERED:
            raise AirflowFailException(
                f"{NOTHING_SENT} {name}: its templates produce more than {_MAX_RENDERED:,} characters, the "
                "most a calendar file may hold"
            )
        parts.append(part)
    return "".join(parts)


def _calendar_environment() -> type:
    from jinja2.sandbox import SandboxedEnvironment

    class CalendarEnvironment(SandboxedEnvironment):
        """A sandbox that also hands out no module (``json``, ``os``... reach files and the process's
        environment) and bounds ``*`` and ``**``, so a cell cannot read secrets, run code or exhaust
        the worker's memory."""

        intercepted_binops = frozenset({"*", "**"})

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            import types

            if isinstance(obj, types.ModuleType) or isinstance(value, types.ModuleType):
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            numbers = [side for side in (left, right) if isinstance(side, int) and not isinstance(side, bool)]
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise jinja2_security_error("a power above 64")
            if (
                operator == "*"
                and any(abs(n) > _MAX_FACTOR for n in numbers)
                and not all(isinstance(side, (int, float)) for side in (left, right))
            ):
                raise jinja2_security_error(f"repeating a text or list more than {_MAX_FACTOR:,} times")
            return super().call_binop(context, operator, left, right)

    return CalendarEnvironment


def _no_other_file(name: str) -> None:
    """The calendar's loader: a calendar file includes and imports no other file."""
    raise jinja2_security_error(f"an include or import of another file ({name!r})")


def jinja2_security_error(what: str) -> Exception:
    from jinja2.exceptions import SecurityError

    return SecurityError(f"a calendar file's templates may not compute {what}")


def _CalendarEnvironment(**options: Any) -> Any:
    return _calendar_environment()(**options)
