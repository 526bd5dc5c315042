"""The sandbox's copies of Publer's facts agree with the provider's.

The sandbox imports nothing of the provider on purpose (it plays Publer, and must not pass a test
only because it shares the provider's mistakes), so it keeps its own copy of what Publer
documents: the media formats, the insights sort orders, the daily post limits, Publer's refusal
texts and limits. This test holds both sides and fails when one changes alone: when Publer
changes a fact, both copies change.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from airflow_provider_publer import dry_run, validation
from airflow_provider_publer.sandbox import analytics, jobs, media, models, rules, updates
from airflow_provider_publer.sandbox import config as sandbox_config

#: How the provider's daily-limit rows name accounts (dry_run: "linkedin" is the profile row).
ROW_ACCOUNT = {
    "linkedin": {"provider": "linkedin", "type": "profile"},
    "linkedin_page": {"provider": "linkedin", "type": "page"},
}


def test_the_sandbox_imports_nothing_of_the_provider():
    """Importing every sandbox module loads no provider module besides what the package's own
    ``__init__`` loads (the provider info for Airflow)."""
    code = (
        "import sys, pkgutil, importlib\n"
        "import airflow_provider_publer\n"
        "before = set(sys.modules)\n"
        "import airflow_provider_publer.sandbox as sandbox\n"
        "for m in pkgutil.iter_modules(sandbox.__path__):\n"
        "    importlib.import_module('airflow_provider_publer.sandbox.' + m.name)\n"
        "print(sorted(n for n in set(sys.modules) - before if n.startswith('airflow_provider_publer.')\n"
        "             and not n.startswith('airflow_provider_publer.sandbox')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_media_formats_agree():
    assert set(media.SUPPORTED_EXTENSIONS) == set(validation.MEDIA_EXTENSIONS)
    kinds = {ext: media.media_type(f"file.{ext}") for ext in media.SUPPORTED_EXTENSIONS}
    assert kinds == dict(validation.MEDIA_EXTENSIONS)
    assert media.MAX_UPLOAD_BYTES == validation.MAX_DIRECT_UPLOAD_BYTES


def test_insights_sort_values_agree():
    assert set(analytics.POST_SORTS) == validation.POST_INSIGHTS_SORTS
    assert set(analytics.HASHTAG_SORTS) == validation.HASHTAG_INSIGHTS_SORTS


def test_every_analytics_account_type_of_the_sandbox_is_one_the_provider_accepts():
    """The provider also accepts ``linkedin``, which one revision of Publer's docs lists and the
    sandbox never reports."""
    assert set(analytics.ACCOUNT_TYPES) <= validation.ANALYTICS_ACCOUNT_TYPES


def test_plans_agree():
    assert tuple(sandbox_config.PLANS) == dry_run.PLANS
    assert sorted(rules.PLAN_INDEX, key=rules.PLAN_INDEX.__getitem__) == list(dry_run.PLANS)


@pytest.mark.parametrize("row", sorted(dry_run.DAILY_POST_LIMITS))
def test_daily_post_limits_agree(row):
    account = ROW_ACCOUNT.get(row, {"provider": row})
    sandbox_limits = tuple(rules.daily_limit(account, plan) for plan in dry_run.PLANS)
    assert sandbox_limits == dry_run.DAILY_POST_LIMITS[row]


def test_the_sandbox_has_no_daily_limit_the_provider_lacks():
    """Each row of the sandbox's table is a network of the provider's table, or the
    ``provider_type`` key of one of its accounts."""
    accounts = [ROW_ACCOUNT.get(row, {"provider": row}) for row in dry_run.DAILY_POST_LIMITS]
    known = set(dry_run.DAILY_POST_LIMITS) | {f"{a['provider']}_{a.get('type')}" for a in accounts}
    assert set(rules.DAILY_LIMITS) - known == set()


def test_refusals_and_request_limits_agree():
    assert rules.MSG_GAP == validation.GAP_RULE
    assert rules.GAP == validation.MIN_GAP == timedelta(minutes=1)
    assert rules.MSG_DAILY_LIMIT == dry_run.DAILY_LIMIT_RULE
    assert jobs.MAX_POSTS == validation.MAX_POSTS_PER_REQUEST


def test_post_states_and_update_fields_agree():
    assert jobs.BULK_STATES == validation.BULK_STATES
    assert models.DRAFT_STATES == validation.DRAFT_STATES
    assert set(updates.ALL_FIELDS) == validation.UPDATE_FIELDS
