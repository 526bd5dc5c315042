"""Calendar files as people save them: byte-order marks, YAML values read as written, limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_publer import post_files
from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.post_files import read_post_file

POSTS = [{"networks": {"facebook": {"type": "status", "text": "Hi"}}, "accounts": [{"id": "a1"}]}]
FILES = {
    "week.json": json.dumps(POSTS),
    "week.yaml": "- networks:\n    facebook: {type: status, text: Hi}\n  accounts:\n    - id: a1\n",
    "week.csv": "account_id,network,type,text\na1,facebook,status,Hi\n",
}
BOM = "\ufeff"


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("bom", ["", BOM], ids=["no-bom", "bom"])
def test_every_format_reads_with_and_without_a_byte_order_mark(name: str, bom: str) -> None:
    """Before: a .json with a BOM was refused ("Unexpected UTF-8 BOM")."""
    assert read_post_file(name, bom + FILES[name]).posts == POSTS


def _yaml_text(text_line: str) -> str:
    return f"- networks:\n    twitter:\n      type: status\n      {text_line}\n  accounts:\n    - id: a1\n"


def _text(posts: list[Any]) -> Any:
    return posts[0]["networks"]["twitter"]["text"]


def test_an_unquoted_hashtag_is_refused_naming_file_line_field_and_fix() -> None:
    """Before: "Launch day! #launch #airflow" reached Publer as "Launch day!"."""
    with pytest.raises(PublerValidationError) as caught:
        read_post_file("week.yaml", _yaml_text("text: Launch day! #launch #airflow"))
    message = str(caught.value)
    assert message.startswith("week.yaml line 4: posts[0].networks.twitter.text: ")
    assert "'#launch #airflow'" in message
    assert "quote the text" in message
    assert '"Launch day! #launch #airflow"' in message


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ('text: "Launch day! #launch #airflow"', "Launch day! #launch #airflow"),
        ("text: 'Launch day! #launch'", "Launch day! #launch"),
        ("text: Launch day!#launch", "Launch day!#launch"),  # no space: not a comment
        ("text: Launch day! # a note to the editor", "Launch day!"),  # a comment, not a hashtag
        ("text: |\n        Launch day! #launch", "Launch day! #launch\n"),
    ],
)
def test_quoted_and_block_texts_keep_their_hashtags(line: str, text: str) -> None:
    assert _text(read_post_file("week.yaml", _yaml_text(line)).posts) == text


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("text: 09:30", "09:30"),  # YAML 1.1: the number 570
        ("text: no", "no"),  # YAML 1.1: False
        ("text: on", "on"),
        ("text: Yes", "Yes"),
        ("text: 2030-01-01", "2030-01-01"),  # YAML 1.1: a date object
        ("text: 2030-01-01 09:00:00+01:00", "2030-01-01 09:00:00+01:00"),
        ("text: 0123", "0123"),  # YAML 1.1: octal 83
        ("text: 1_000", "1_000"),  # YAML 1.1: 1000
    ],
)
def test_yaml_values_are_read_as_written(line: str, text: str) -> None:
    assert _text(read_post_file("week.yaml", _yaml_text(line)).posts) == text


def test_scheduled_at_stays_the_text_written() -> None:
    content = (
        "- networks: {twitter: {type: status, text: Hi}}\n"
        "  accounts:\n    - {id: a1, scheduled_at: 2030-01-01T09:00:00+01:00}\n"
    )
    assert (
        read_post_file("w.yaml", content).posts[0]["accounts"][0]["scheduled_at"]
        == "2030-01-01T09:00:00+01:00"
    )


def test_typed_values_keep_their_type() -> None:
    content = (
        "- auto: true\n  share_next: false\n"
        "  networks: {twitter: {type: poll, duration: 7, x: 1.5, y: null}}\n"
    )
    post = read_post_file("w.yaml", content).posts[0]
    assert post["auto"] is True
    assert post["share_next"] is False
    assert post["networks"]["twitter"] == {"type": "poll", "duration": 7, "x": 1.5, "y": None}


def test_a_number_where_text_was_meant_is_refused_naming_the_line() -> None:
    from airflow_provider_publer.validation import validate_posts

    parsed = read_post_file("week.yaml", _yaml_text("text: 2030"))
    assert parsed.origins == ["line 1"]
    with pytest.raises(PublerValidationError) as caught:
        validate_posts(parsed.posts)
    located = parsed.locate(caught.value)
    assert str(located).startswith(
        "week.yaml line 1: posts[0].networks.twitter.text: must be a string, got int"
    )


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(
        PublerValidationError, match=r"week.yaml line 5: posts\[0\].networks.twitter.text: appears twice"
    ):
        read_post_file("week.yaml", _yaml_text("text: A\n      text: B"))
    with pytest.raises(PublerValidationError, match="the key 'text' appears twice"):
        read_post_file("week.json", '[{"networks": {"x": {"text": "A", "text": "B"}}}]')


def test_the_alias_bomb_is_refused_before_anything_is_expanded() -> None:
    """575 bytes, seven nested alias levels: before, 17 s and 392 MB, then accepted."""
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefg":
        previous = chr(ord(level) - 1)
        levels.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(levels) + "\nposts: [*g]\n"
    assert len(bomb) < 600
    with pytest.raises(PublerValidationError, match=r"bomb.yaml line 1: uses a YAML anchor or alias"):
        read_post_file("bomb.yaml", bomb)


def test_tags_are_refused() -> None:
    with pytest.raises(PublerValidationError, match="uses the YAML tag"):
        read_post_file("w.yaml", "- !!python/object:os.system {}\n")


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
def test_nesting_has_a_limit(name: str) -> None:
    content = "[" * 40 + "]" * 40
    with pytest.raises(PublerValidationError, match="deeper than 32 levels"):
        read_post_file(name, content)
    with pytest.raises(PublerValidationError, match="deeper than 32 levels"):
        read_post_file(name, "[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("name", sorted(FILES))
def test_size_has_a_limit(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(post_files, "MAX_FILE_CHARACTERS", 10)
    with pytest.raises(PublerValidationError, match=r"characters, more than the 10 a calendar file may hold"):
        read_post_file(name, FILES[name])


def test_a_csv_cell_past_the_field_limit_names_the_row() -> None:
    content = 'account_id,network,type,text\na1,facebook,status,"' + "x" * 200_000 + '"\n'
    with pytest.raises(PublerValidationError, match=r"week.csv row \d+: is not valid CSV"):
        read_post_file("week.csv", content)


def test_a_csv_header_naming_a_column_twice_is_refused() -> None:
    header = "account_id,network,type,text,text,scheduled_at\n"
    with pytest.raises(PublerValidationError, match=r"cal.csv row 1: the header names text more than once"):
        read_post_file("cal.csv", header + "abc,facebook,status,first,second,\n")


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_csv_saved_with_another_separator_says_so(separator: str) -> None:
    """A spreadsheet in a European locale saves "CSV" with semicolons: the error says what to do."""
    rows = ["account_id", "network", "type", "text", "scheduled_at"], ["a1", "facebook", "status", "Hi", ""]
    content = "\ufeff" + "\r\n".join(separator.join(row) for row in rows) + "\r\n"
    with pytest.raises(PublerValidationError) as caught:
        read_post_file("week.csv", content)
    assert f"the file looks {separator!r}-separated; save it with commas" in str(caught.value)
    # A header that is only wrong says nothing of separators.
    with pytest.raises(PublerValidationError) as caught:
        read_post_file("week.csv", "account,network,type,text\na1,facebook,status,Hi\n")
    assert "separated" not in str(caught.value)


def test_a_yaml_number_too_long_for_python_stays_the_text_written() -> None:
    digits = "7" * 5000
    posts = read_post_file("w.yaml", f"- networks: {{facebook: {{type: status, text: {digits}}}}}\n").posts
    assert posts[0]["networks"]["facebook"]["text"] == digits


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://cdn.example/deck.pdf", "document"),
        ("https://cdn.example/clip.MOV?sig=1", "video"),
        ("https://cdn.example/anim.gif#x", "gif"),
        ("https://cdn.example/image?id=7", "photo"),
    ],
)
def test_a_csv_media_url_has_the_kind_of_its_format(url: str, kind: str) -> None:
    header = "account_id,network,type,text,media\n"
    posts = read_post_file("cal.csv", f"{header}abc,linkedin,photo,hi,{url}\n").posts
    assert posts[0]["networks"]["linkedin"]["media"] == [{"path": url, "type": kind}]
