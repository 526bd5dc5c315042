"""Calendars from files: JSON, YAML and CSV, with errors naming the file and the row."""

from __future__ import annotations

import pytest

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.post_files import CSV_COLUMNS, csv_columns_table, is_post_file, read_post_file
from airflow_provider_publer.validation import validate_posts

HEADER = "account_id,network,type,text,scheduled_at,media,url,title,labels"


def test_file_names_are_recognised_case_blind():
    assert is_post_file("calendar.csv")
    assert is_post_file(" plans/Week.YAML ")
    assert not is_post_file([{"networks": {}}])
    assert not is_post_file("[{}]")


def test_csv_rows_become_posts_with_media_links_and_labels():
    content = "\n".join(
        [
            HEADER,
            "acc1,facebook,status,Hello,2031-03-02T09:00:00+01:00,,,,",
            "acc2,instagram,photo,Look,2031-03-02T10:00:00+01:00,https://cdn.example.com/a.png|m-1,,,launch|q1",
            "",
            "acc1,linkedin,link,Read,,,https://example.com/post,A title,",
        ]
    )
    parsed = read_post_file("calendar.csv", content)
    assert parsed.origins == ["row 2", "row 3", "row 5"]
    assert parsed.posts[0] == {
        "networks": {"facebook": {"type": "status", "text": "Hello"}},
        "accounts": [{"id": "acc1", "scheduled_at": "2031-03-02T09:00:00+01:00"}],
    }
    assert parsed.posts[1]["networks"]["instagram"]["media"] == [
        {"path": "https://cdn.example.com/a.png", "type": "photo"},
        {"id": "m-1"},
    ]
    assert parsed.posts[1]["accounts"][0]["labels"] == ["launch", "q1"]
    assert parsed.posts[2]["networks"]["linkedin"] == {
        "type": "link",
        "text": "Read",
        "url": "https://example.com/post",
        "title": "A title",
    }
    assert "scheduled_at" not in parsed.posts[2]["accounts"][0]


def test_a_validation_error_names_the_file_and_the_row():
    content = "\n".join(
        [
            HEADER,
            "acc1,facebook,status,Ok,2031-03-02T09:00:00+00:00,,,,",
            "acc1,facebook,status,Late,2031-03-02 09:00,,,,",
        ]
    )
    parsed = read_post_file("calendar.csv", content)
    with pytest.raises(PublerValidationError) as info:
        validate_posts(parsed.posts)
    located = parsed.locate(info.value)
    assert str(located).startswith("calendar.csv row 3: posts[1].accounts[0].scheduled_at:")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("account_id,network,text\nacc1,facebook,x", "missing: type"),
        (HEADER + ",colour\n", "unknown: colour"),
        (HEADER + "\n", "holds no rows"),
        (HEADER + "\nacc1,facebook,status,x,,,,,,extra,cells", "row 2: has more cells"),
    ],
)
def test_csv_problems_name_the_file(content, says):
    with pytest.raises(PublerValidationError, match=says) as info:
        read_post_file("plan.csv", content)
    assert str(info.value).startswith("plan.csv")


def test_json_and_yaml_hold_publers_list():
    posts = [{"networks": {"facebook": {"type": "status", "text": "Hi"}}, "accounts": [{"id": "a"}]}]
    assert (
        read_post_file(
            "week.json",
            '[{"networks": {"facebook": {"type": "status", "text": "Hi"}}, "accounts": [{"id": "a"}]}]',
        ).posts
        == posts
    )
    yaml_text = "- networks:\n    facebook: {type: status, text: Hi}\n  accounts:\n    - id: a\n"
    assert read_post_file("week.yaml", yaml_text).posts == posts
    assert (
        read_post_file(
            "week.yml", "posts:\n" + "\n".join("  " + line for line in yaml_text.splitlines())
        ).posts
        == posts
    )


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("w.json", "{nope", "not valid JSON"),
        ("w.yaml", "a: [", "not valid YAML"),
        ("w.json", '{"a": 1}', "must hold a list"),
    ],
)
def test_broken_files_name_the_file(name, content, says):
    with pytest.raises(PublerValidationError, match=says) as info:
        read_post_file(name, content)
    assert str(info.value).startswith(name)


def test_the_docs_show_the_columns_the_code_reads():
    from pathlib import Path

    table = csv_columns_table()
    for name, _, _ in CSV_COLUMNS:
        assert f"`{name}`" in table
    docs = (Path(__file__).resolve().parents[2] / "docs" / "calendar.md").read_text()
    assert table in docs


def test_every_bad_row_is_named_in_one_error():
    """Regression: the check stopped at the first bad post, so a calendar took one run per mistake.
    Every bad row is named (its first problem), the good rows are not."""
    content = "\n".join(
        [
            HEADER,
            "acc1,facebook,status,Ok,2031-03-02T09:00:00+00:00,,,,",
            "acc1,facebook,status,Naive,2031-03-02 09:00,,,,",
            "acc1,facebok,status,Typo,2031-03-03T09:00:00+00:00,,,,",
            "acc1,facebook,status,Ok too,2031-03-04T09:00:00+00:00,,,,",
            "acc1,facebook,status,,2031-03-05T09:00:00+00:00,,,,",
        ]
    )
    parsed = read_post_file("calendar.csv", content)
    with pytest.raises(PublerValidationError) as info:
        validate_posts(parsed.posts)
    assert [e.field.split(".")[0] for e in [info.value, *info.value.more]] == [
        "posts[1]",
        "posts[2]",
        "posts[4]",
    ]
    located = str(parsed.locate(info.value))
    assert located.startswith("calendar.csv row 3: posts[1].accounts[0].scheduled_at:")
    assert "2 more problem(s) in other posts:" in located
    assert "\n- calendar.csv row 4: posts[2].networks" in located
    assert 'did you mean "facebook"' in located
    assert "\n- calendar.csv row 6: posts[4]" in located
    assert "row 2" not in located
    assert "row 5" not in located


def test_a_long_list_of_problems_is_cut_in_the_message_but_kept_whole():
    posts = [{"networks": {"facebook": {"type": "status", "text": ""}}, "accounts": [{"id": "a"}]}] * 30
    with pytest.raises(PublerValidationError) as info:
        validate_posts(posts)
    assert len(info.value.more) == 29
    assert str(info.value).count("\n- posts[") == PublerValidationError.LISTED
    assert str(info.value).endswith("\n- ... and 9 more")
