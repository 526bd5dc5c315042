"""The operator that puts files and URLs into Publer's media: :class:`PublerUploadMediaOperator`.

Each upload and each URL import is sent exactly once
(:func:`airflow_provider_publer.exactly_once.send_once`). After a lost answer an earlier media is
taken for this request's only when it provably is: created since the send, of the same name, not
listed before the send (the ledger keeps that snapshot), not claimed by another item of the task,
and, where Publer lists them, of the same size and dimensions; otherwise the task fails saying
the answer was lost and what to check.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.constants import DEFAULT_CONN_ID, XCOM_MEDIA
from airflow_provider_publer.exceptions import PublerError, PublerOutcomeUnknownError
from airflow_provider_publer.operators.base import airflow_error
from airflow_provider_publer.operators.common import PublerOperator, flat_items, task_ledger
from airflow_provider_publer.operators.output import is_plain_path, local_path_text

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.ledger import SubmissionLedger


class PublerUploadMediaOperator(PublerOperator):
    """Upload media to Publer and return items ready for ``networks.<network>.media`` of a post.

    Files (local paths or Airflow ``ObjectStoragePath``, so files in S3, GCS... work) are sent to
    ``POST /media`` one by one; URLs are imported with one ``POST /media/from-url`` whose job the
    operator waits for (``poll_interval``, ``wait_timeout``). Every file and URL is checked before
    anything is sent: a missing file, a format Publer does not list (jpg, jpeg, png, gif, mp4,
    mov, avi, pdf, doc, docx, ppt, pptx) or a file over 200 MB (import it from a URL instead)
    fails the task with nothing uploaded.

    Nothing is uploaded twice: each upload and import is recorded in the task instance's
    submission ledger (:mod:`airflow_provider_publer.ledger`) before it is sent and after Publer
    answers, so an Airflow retry or a clear reuses what an earlier try uploaded. When an answer
    was lost, the upload is looked for in ``GET /media`` before anything is sent again, and a
    listed media is taken for it only when it provably is this request's: the same name,
    created since the send, not listed before it (the ledger keeps what was listed), not
    claimed by another item of the task, and of the same size where Publer lists one. Anything
    else fails the task saying the answer was lost and what to check; nothing listed means
    nothing landed, and the next try uploads again.

    Returns ``[{id, type, path, thumbnail}, ...]`` (files first, in order, then URLs), e.g.
    ``{"networks": {"facebook": {"type": "photo", "text": ..., "media": upload.output}}}``.
    Publer's full media objects (``width``, ``height``, ``validity``, ...) are in the XCom
    ``publer_media``.

    :param files: paths or ``ObjectStoragePath`` objects (templated); one path alone works too.
    :param urls: http(s) URLs Publer downloads itself, or Publer's items ``{"url", "name",
        "caption"}`` (templated); for files over 200 MB.
    :param in_library: keep the media in the workspace's media library.
    :param direct_upload: store on Publer's S3 at once (slower; the ``path`` is then final).
    :param workspace_id: workspace to upload to (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    :param poll_interval: seconds between two checks of the import job.
    :param wait_timeout: seconds to wait for the import job before failing (a retry reconnects to it).
    """

    template_fields: Sequence[str] = ("files", "urls", "workspace_id", "publer_conn_id")
    template_fields_renderers = {"urls": "json"}
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        files: Any = (),
        urls: Any = (),
        in_library: bool = False,
        direct_upload: bool = False,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        poll_interval: float = 5.0,
        wait_timeout: float = 600.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.files = _file_list(files)
        self.urls = urls
        self.in_library = in_library
        self.direct_upload = direct_upload
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout

    def execute(self, context: Context) -> list[dict[str, Any]]:
        from airflow_provider_publer.responses import media_item

        files, urls = self._checked_inputs()
        workspace = self._workspace()
        ledger = task_ledger(context)
        uploaded = [self._upload(index, media, workspace, ledger) for index, media in enumerate(files)]
        if urls:
            uploaded.extend(self._import(urls, workspace, ledger))
        context["ti"].xcom_push(key=XCOM_MEDIA, value=uploaded)
        items = [media_item(media) for media in uploaded]
        self.log.info(
            "Publer holds %d media item(s): %s", len(items), ", ".join(str(i.get("id")) for i in items)
        )
        return items

    def _checked_inputs(self) -> tuple[list[Any], list[dict[str, Any]]]:
        from airflow_provider_publer.validation import validate_media_file, validate_media_urls

        files = _file_list(self.files)
        checked = [
            self._checked(lambda f=file, i=index: validate_media_file(f, field=f"files[{i}]"))
            for index, file in enumerate(files)
        ]
        urls: list[dict[str, Any]] = []
        if self.urls not in (None, "", (), []):
            urls = self._checked(lambda: validate_media_urls(self.urls))
        if not checked and not urls:
            raise AirflowFailException(
                "Nothing was sent to Publer. files, urls: give at least one file (files=[...]) or URL "
                "(urls=[...])"
            )
        return checked, urls

    # -- one file, once --------------------------------------------------------------------------

    def _upload(self, index: int, media: Any, workspace: str, ledger: SubmissionLedger) -> dict[str, Any]:
        from airflow_provider_publer.exactly_once import Recovery, send_once
        from airflow_provider_publer.ledger import BatchRecord, decode_media, encode_media, request_key

        key = request_key(
            index,
            [{"file": str(media.source), "name": media.name, "size": media.size, **self._flags()}],
            "media_upload",
            workspace,
        )

        def upload() -> str:
            try:
                uploaded = self.hook.upload_media(
                    media.source,
                    name=media.name,
                    in_library=self.in_library,
                    direct_upload=self.direct_upload,
                    workspace_id=workspace,
                )
            except PublerOutcomeUnknownError as err:
                self.log.warning("%s", err)
                raise
            return encode_media([uploaded])

        def recover(record: BatchRecord | None, lost: bool) -> Recovery:
            assert record is not None
            found = self._proven([(media.name, media.size)], record, ledger.claimed_media(key), workspace)
            if found is not None:
                return Recovery(result=encode_media(found))
            if lost:
                raise AirflowException(
                    f"The upload of {media.name} was sent but its answer was lost, and Publer lists no "
                    f"media named {media.name} created since {record.since} that was not there before. "
                    "A retry of this task looks for it again, and uploads it again only if Publer still "
                    "does not list it."
                )
            self.log.warning(
                "An earlier try sent %s, but Publer does not list it: it did not land; uploading it again",
                media.name,
            )
            return Recovery(request=upload)

        encoded = self._sent_once(
            lambda: send_once(
                ledger,
                key,
                upload,
                recover=recover,
                reusable=lambda result: bool(decode_media(result)),
                snapshot=lambda: self._listed([media.name], workspace),
            )
        )
        earlier = decode_media(encoded) or [{}]
        if earlier[0].get("id"):
            self.log.info("Publer holds %s as media %s", media.name, earlier[0].get("id"))
        return earlier[0]

    def _sent_once(self, send: Any) -> str:
        """Run a :func:`~airflow_provider_publer.exactly_once.send_once`; Publer's refusal fails the task."""
        try:
            result: str = send()
        except PublerOutcomeUnknownError as err:
            raise AirflowException(
                f"{err} A retry of this task looks for what Publer made before sending anything again."
            ) from None
        except PublerError as err:
            raise airflow_error(err) from None
        return result

    def _flags(self) -> dict[str, bool]:
        return {"in_library": bool(self.in_library), "direct_upload": bool(self.direct_upload)}

    def _listed(self, names: list[str], workspace: str) -> list[str]:
        """Ids of the media Publer lists under ``names`` before a send: never that send's result."""
        return [str(item.get("id")) for name in names for item in self._named(name, workspace)]

    def _named(self, name: str, workspace: str) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self._call(
            lambda: self.hook.list_media(search=name, workspace_id=workspace),
            "Could not look for an upload in Publer's media: ",
        )
        return [item for item in listed if item.get("name") == name and item.get("id") is not None]

    def _proven(
        self,
        wanted: list[tuple[str, int | None]],
        record: Any,
        claimed: set[str],
        workspace: str,
    ) -> list[dict[str, Any]] | None:
        """The media an earlier send made, one per ``(name, size)``, when each provably is its result.

        A candidate has the name, was created since the send (with a clock slack), was not listed
        before it (``record.preexisting``), is not claimed by another item, and has the size and
        the ``in_library`` setting where Publer lists them. ``None`` when one of them has no
        candidate; more than one candidate fails the task (it cannot be told which is this
        request's).
        """
        from airflow_provider_publer.timestamps import parse_optional_timestamp

        before = set(record.preexisting)
        found: list[dict[str, Any]] = []
        for name, size in wanted:
            candidates = []
            for item in self._named(name, workspace):
                created = parse_optional_timestamp(item.get("created_at"))
                media_id = str(item.get("id"))
                if media_id in before or media_id in claimed or media_id in {str(f.get("id")) for f in found}:
                    continue
                if created is not None and created < record.since_time - _CLOCK_SLACK:
                    continue
                if size is not None and isinstance(item.get("size"), int) and item["size"] != size:
                    continue
                if isinstance(item.get("in_library"), bool) and item["in_library"] != bool(self.in_library):
                    continue  # made by a request with the other in_library setting
                candidates.append(item)
            if len(candidates) > 1:
                raise AirflowFailException(
                    f"The answer to the upload of {name} was lost, and Publer lists {len(candidates)} new "
                    f"media named {name} ({', '.join(str(c.get('id')) for c in candidates)}) that cannot be "
                    "told apart. Nothing was uploaded again. Check Publer's media library: keep the one "
                    "this task made (or delete them all) and pass its id on, or clear the task once "
                    "they are deleted."
                )
            if not candidates:
                return None
            found.append(candidates[0])
        self.log.info("Found earlier upload(s) on Publer: %s", ", ".join(str(m.get("id")) for m in found))
        return found

    # -- URLs: one import job, once --------------------------------------------------------------

    def _import(
        self, urls: list[dict[str, Any]], workspace: str, ledger: SubmissionLedger
    ) -> list[dict[str, Any]]:
        from airflow_provider_publer.exactly_once import Recovery, send_once
        from airflow_provider_publer.ledger import BatchRecord, decode_media, encode_media, request_key

        key = request_key(0, [{"urls": urls, **self._flags()}], "media_import", workspace)
        names = [str(u["name"]) for u in urls]
        reconnecting = ledger.record(key) is not None

        def import_urls() -> str:
            job_id: str = self.hook.import_media(
                urls, in_library=self.in_library, direct_upload=self.direct_upload, workspace_id=workspace
            )
            return job_id

        def recover(record: BatchRecord | None, lost: bool) -> Recovery:
            assert record is not None
            if lost:
                raise AirflowException(
                    "The import of the URLs was sent but its answer was lost. A retry of this task "
                    "looks for the imported files before importing anything again."
                )
            found = self._proven(
                [(name, None) for name in names], record, ledger.claimed_media(key), workspace
            )
            if found is not None:
                return Recovery(result=encode_media(found))
            return Recovery(request=import_urls)

        result = self._sent_once(
            lambda: send_once(
                ledger, key, import_urls, recover=recover, snapshot=lambda: self._listed(names, workspace)
            )
        )
        earlier = decode_media(result)
        if earlier is not None:
            return earlier
        media = self._wait_for_import(result, workspace, reconnecting=reconnecting)
        if media is None:
            ledger.forget(key)  # the earlier try's job failed: nothing of it was imported
            return self._import(urls, workspace, ledger)
        ledger.mark_sent(key, encode_media(media))
        return media

    def _wait_for_import(
        self, job_id: str, workspace: str, *, reconnecting: bool = False
    ) -> list[dict[str, Any]] | None:
        """Wait for the import job; its media, or ``None`` when reconnecting to a job that failed."""
        from airflow_provider_publer.job_outcomes import check_job
        from airflow_provider_publer.responses import media_job_errors, media_job_media

        deadline = time.monotonic() + self.wait_timeout
        while True:
            result = check_job(self.hook, job_id, workspace, self.log)
            if result is not None and result.is_finished:
                break
            if time.monotonic() >= deadline:
                raise AirflowException(
                    f"Publer's import job {job_id} did not finish within {self.wait_timeout:.0f}s; a retry "
                    "of this task waits for the same job."
                )
            time.sleep(self.poll_interval)
        media = media_job_media(result)
        if result.is_success and media:
            return media
        if reconnecting and not result.is_success:
            self.log.warning("The import job %s of an earlier try failed; importing again", job_id)
            return None
        reasons = "; ".join(media_job_errors(result)) or "no reason given"
        if result.is_success:
            reasons = "the job completed without listing any media"
        raise AirflowFailException(
            f"Publer could not import the media (job {job_id}, {result.status}): {reasons}"
        )


def _file_list(files: Any) -> Any:
    """A list of files: one path alone becomes a list; plain paths become text (Airflow 3.1 would
    try to render a pathlib.Path); a mapped task's output (a lazy sequence of paths, or of lists
    of paths) becomes one flat list; an XComArg or a template is left for Airflow to resolve."""
    if files is None:
        return []
    if isinstance(files, str) or hasattr(files, "protocol") or is_plain_path(files):
        return [local_path_text(files)]
    flat = flat_items(files)
    if isinstance(flat, list):
        return [local_path_text(f) for f in flat]
    return files


_CLOCK_SLACK = timedelta(minutes=2)
