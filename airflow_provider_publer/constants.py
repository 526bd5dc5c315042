"""Names shared by the operator, the sensor and the links, kept in a module that imports nothing heavy."""

from __future__ import annotations

#: Default Airflow connection id of the Publer hook.
DEFAULT_CONN_ID = "publer_default"

#: XCom key under which the operator pushes the job id, before anything else can fail.
XCOM_JOB_ID = "publer_job_id"

#: XCom key under which the operator records the workspace of each job it submitted:
#: ``{job_id: workspace_id}``. The sensor and the links read it, so a job is always looked for
#: in the workspace it was submitted in.
XCOM_JOB_WORKSPACES = "publer_job_workspaces"

#: XCom key under which the operator records the posts as it sends them (validated, templates
#: rendered), with their ``state`` and ``publish_now``: ``{"posts": [...], "state": str,
#: "publish_now": bool}``. ``PublerPostSensor`` reads it to find the posts a job created, so a
#: template that renders differently each time (a clock macro, a file edited meanwhile) is never
#: rendered again.
XCOM_SUBMITTED_POSTS = "publer_submitted_posts"

#: Job reference returned when every intended post was found on Publer and nothing was (re)submitted:
#: ``reconciled:<post id>,<post id>,...``. The sensor treats it as a finished, successful job.
RECONCILED_PREFIX = "reconciled:"


def default_deferrable() -> bool:
    """``[operators] default_deferrable`` from the Airflow configuration."""
    try:
        from airflow.sdk import conf
    except ImportError:  # Airflow 3.1
        from airflow.configuration import conf  # type: ignore[assignment]
    return bool(conf.getboolean("operators", "default_deferrable", fallback=False))


#: XCom key under which ``PublerUploadMediaOperator`` pushes Publer's full media objects (its return
#: value holds only what a post's ``media`` items take).
XCOM_MEDIA = "publer_media"

#: XCom key under which ``PublerDeletePostsOperator`` pushes the ids Publer deleted, also when some
#: posts were not deleted and the task fails.
XCOM_DELETED_IDS = "publer_deleted_ids"
