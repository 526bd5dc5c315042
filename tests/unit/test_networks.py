"""The per-network table: every table derived from it agrees with it, and a network added to the
table alone works everywhere (validation, text limits, dry run limits, analytics, update hints)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from airflow_provider_publer import analytics_options, dry_run, models, networks, text_length, validation
from airflow_provider_publer.networks import NETWORKS, Network

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
ACCOUNT_ID = "63c675b54e299e9cf2b667ea"

#: Publer's daily post limits (reference §3), as dry_run held them before the table existed.
PUBLISHED_DAILY_LIMITS = {
    "facebook": (12, 24, 36),
    "instagram": (15, 20, 25),
    "threads": (150, 200, 250),
    "tiktok": (15, 20, 25),
    "twitter": (25, 50, 100),
    "mastodon": (25, 50, 100),
    "bluesky": (25, 50, 100),
    "linkedin": (10, 12, 14),
    "linkedin_page": (12, 18, 24),
    "pinterest": (12, 24, 36),
    "google": (5, 10, 15),
    "youtube": (5, 10, 15),
    "wordpress": (12, 18, 24),
    "telegram": (5, 10, 15),
}


def test_one_row_per_network_key() -> None:
    keys = [row.key for row in NETWORKS]
    assert len(keys) == len(set(keys))
    assert {*keys, "default"} == networks.NETWORK_KEYS


def test_every_derived_table_agrees_with_the_rows() -> None:
    assert networks.DAILY_POST_LIMITS == PUBLISHED_DAILY_LIMITS
    assert dry_run.DAILY_POST_LIMITS == networks.DAILY_POST_LIMITS
    assert networks.TEXT_LIMITS == {
        "twitter": 280,
        "telegram": 4096,
        "threads": 500,
        "bluesky": 300,
        "google": 1500,
    }
    assert models.TEXT_LIMITS is networks.TEXT_LIMITS
    assert validation.NETWORK_KEYS is networks.NETWORK_KEYS
    assert validation.ANALYTICS_ACCOUNT_TYPES is analytics_options.ANALYTICS_ACCOUNT_TYPES
    assert {
        *(t for row in NETWORKS for t in row.analytics_account_types),
    } == networks.ANALYTICS_ACCOUNT_TYPES
    assert (
        frozenset(
            [
                "ig_business",
                "fb_page",
                "twitter",
                "linkedin",
                "youtube",
                "tiktok",
                "google",
                "pin_business",
                "pin_personal",
                "threads",
                "wordpress_oauth",
                "in_profile",
                "in_page",
                "mastodon",
                "bluesky",
            ]
        )
        == networks.ANALYTICS_ACCOUNT_TYPES
    )
    for alias, fix in networks.NETWORK_ALIASES.items():
        assert alias not in networks.NETWORK_KEYS
        assert re.search(r'"(\w+)"', fix).group(1) in networks.NETWORK_KEYS  # type: ignore[union-attr]
    assert networks.NETWORK_NAMES["twitter"] == "X"


def test_the_update_fields_are_the_update_models() -> None:
    assert frozenset(models.PostUpdate.model_fields) == models.UPDATE_FIELDS
    assert validation.UPDATE_FIELDS == models.UPDATE_FIELDS
    for row in NETWORKS:
        if row.editable_after_publishing is not None:
            assert row.editable_after_publishing <= models.UPDATE_FIELDS, row.key
            assert "labels" in row.editable_after_publishing  # labels live in Publer only


def test_editable_after_publishing_is_read_from_the_table() -> None:
    assert networks.editable_after_publishing("linkedin") == {"text", "labels"}
    assert networks.editable_after_publishing("twitter") == {"labels"}
    assert networks.editable_after_publishing("tiktok") is None  # Publer does not say
    assert networks.editable_after_publishing("nope") is None
    summary = networks.editable_after_publishing_summary()
    assert "LinkedIn, Google Business Profile: text (and labels)" in summary
    assert "Instagram, Pinterest, Threads, Bluesky: labels only" in summary


def test_the_docs_limits_table_is_the_tables() -> None:
    """Regenerate: paste networks.text_limits_table() into docs/models.md."""
    doc = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    assert networks.text_limits_table() in doc
    for row in NETWORKS:
        if row.text_limit is not None:
            assert row.counting.description in networks.text_limits_table()


# -- a network added to the table alone ------------------------------------------------------------

#: Run in a fresh interpreter whose networks module has one more row, added to the table only.
ADDED_NETWORK = r'''
import sys, types
from datetime import datetime, timezone
from pathlib import Path

import airflow_provider_publer
source = (Path(airflow_provider_publer.__file__).parent / "networks.py").read_text(encoding="utf-8")
row = """
    Network(
        "nostr",
        "Nostr",
        aliases={"nostr_relay": 'use "nostr"'},
        text_limit=10,
        counting=Counting.GRAPHEMES,
        daily_limits={"": (1, 2, 3), "relay": (4, 5, 6)},
        editable_after_publishing=frozenset({"text", "labels"}),
        analytics_account_types=("nostr_profile",),
    ),
)

_BY_KEY"""
assert source.count("\n)\n\n_BY_KEY") == 1
module = types.ModuleType("airflow_provider_publer.networks")
module.__file__ = "networks.py"
sys.modules[module.__name__] = module
exec(compile(source.replace("\n)\n\n_BY_KEY", row), "networks.py", "exec"), module.__dict__)

import pytest
from airflow_provider_publer import dry_run, networks, validation
from airflow_provider_publer.exceptions import PublerValidationError

NOW = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
def post(key, text):
    block = {"type": "status", "text": text}
    return {"networks": {key: block}, "accounts": [{"id": "63c675b54e299e9cf2b667ea"}]}

assert "nostr" in validation.NETWORK_KEYS
checked = validation.validate_posts([post("nostr", "a" * 10)], now=NOW)
assert checked[0]["networks"]["nostr"]["text"] == "a" * 10
with pytest.raises(PublerValidationError, match="is 11 characters long but Nostr allows at most 10"):
    validation.validate_posts([post("nostr", "a" * 11)], now=NOW)
with pytest.raises(PublerValidationError, match='use "nostr"'):
    validation.validate_posts([post("nostr_relay", "a")], now=NOW)
assert validation.validate_post_update({"text": "a" * 10}, network="nostr") == {"text": "a" * 10}
with pytest.raises(PublerValidationError, match="Nostr allows at most 10"):
    validation.validate_post_update({"text": "a" * 11}, network="nostr")
assert dry_run.DAILY_POST_LIMITS["nostr"] == (1, 2, 3)
assert dry_run.DAILY_POST_LIMITS["nostr_relay"] == (4, 5, 6)
types_ = validation.ANALYTICS_ACCOUNT_TYPES
assert validation.validate_choice("nostr_profile", types_, field="account_type") == "nostr_profile"
assert networks.editable_after_publishing("nostr") == {"text", "labels"}
assert "Nostr: text (and labels)" in networks.editable_after_publishing_summary()
assert "| `nostr` (Nostr) | 10 |" in networks.text_limits_table()
print("nostr works everywhere")
'''


def test_a_network_added_to_the_table_alone_works_everywhere() -> None:
    run = subprocess.run(
        [sys.executable, "-c", ADDED_NETWORK],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "nostr works everywhere"


def test_a_row_is_a_frozen_dataclass_with_defaults() -> None:
    row = Network("example", "Example")
    assert dataclasses.asdict(row)["text_limit"] is None
    assert row.account_provider == "example"
    assert text_length.text_limit_problem("example", "a" * 100_000) is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.key = "other"  # type: ignore[misc]
