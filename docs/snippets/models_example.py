"""Build Publer posts with the typed models and schedule them from a DAG."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

from airflow_provider_publer.models import AccountSchedule, Details, MediaItem, NetworkContent, Post
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator

# Account ids exactly as GET /accounts lists them: here the sandbox's (make demo), use your own
# (PublerHook().list_accounts()). Media ids come from PublerUploadMediaOperator or GET /media.
FACEBOOK_PAGE = "63c675b54e299e9cf2b667ea"
X_ACCOUNT = "63c675e94e299e9cf2b667ec"
INSTAGRAM = "63c675f14e299e9cf2b667ed"
launch = pendulum.datetime(2031, 3, 2, 9, 30, tz="Europe/Berlin")

spring_release = Post(
    networks={
        "facebook": NetworkContent(
            type="photo",
            text="Spring release is out: a faster dashboard and dark mode.",
            media=[MediaItem(id="6813892b5ec8b1e65235ae9e", alt_text="The new dashboard")],
        ),
        "twitter": NetworkContent(
            type="status",
            text="Spring release is out! https://example.com/blog/2031/spring-release-notes",
        ),
    },
    accounts=[
        AccountSchedule(id=FACEBOOK_PAGE, scheduled_at=launch, labels=["launch"]),
        AccountSchedule(id=X_ACCOUNT, scheduled_at=launch.add(minutes=2)),
    ],
)

# From a dict, with Publer's field names. A reel is a video with details.type, as Publer documents
# it; fields the models do not know (here details.feed) are kept and sent as given.
behind_the_scenes = Post.model_validate(
    {
        "networks": {
            "instagram": {
                "type": "video",
                "text": "Behind the scenes of the spring release",
                "media": [{"id": "6813892b5ec8b1e65235ae9f"}],
                "details": {"type": "reel", "feed": True},
            }
        },
        "accounts": [{"id": INSTAGRAM}],  # no scheduled_at: the account's posting schedule
    }
)
assert behind_the_scenes.networks["instagram"].details == Details(type="reel", feed=True)

# What Publer receives: its own field names, scheduled_at as YYYY-MM-DDTHH:MM:SS+HH:MM, no nulls.
posts = [spring_release.to_publer(), behind_the_scenes.to_publer()]
assert posts[0]["accounts"][0] == {
    "id": FACEBOOK_PAGE,
    "scheduled_at": "2031-03-02T09:30:00+01:00",
    "labels": ["launch"],
}

with DAG("publer_spring_release", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")) as dag:
    # The operator takes the dicts (shown as JSON in the UI) or the models themselves.
    schedule = PublerSchedulePostOperator(task_id="schedule_spring_release", posts=posts)

    @task
    def weekly_digest(data_interval_end: pendulum.DateTime | None = None) -> list[dict]:
        """A task that builds posts returns them as dicts: XCom carries JSON."""
        when = (data_interval_end or pendulum.now("UTC")).add(days=1).set(hour=8, minute=0, second=0)
        digest = Post(
            networks={"twitter": NetworkContent(type="status", text="This week on our blog: ...")},
            accounts=[AccountSchedule(id=X_ACCOUNT, scheduled_at=when)],
        )
        return [digest.to_publer()]

    PublerSchedulePostOperator(task_id="schedule_digest", posts=weekly_digest())
