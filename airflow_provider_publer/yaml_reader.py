"""Read a YAML calendar so that every value reaches Publer as the file says it, within limits.

Why this module exists: PyYAML's ``safe_load`` follows YAML 1.1 and changes values silently
(``09:30`` becomes 570, ``no`` becomes ``False``, ``2030-01-01`` a date object), drops an
unquoted ``#hashtag`` as a comment, keeps the last of two equal keys, and expands aliases (a
575-byte file of nested aliases takes seconds and hundreds of megabytes). This reader keeps
PyYAML's scanner, parser and composer and replaces the rest:

- anchors and aliases are refused when the parser meets them, before anything is expanded;
- nesting deeper than a limit is refused while composing;
- plain values are resolved by YAML 1.2's core schema: ``null``/``~``/empty, ``true``/``false``,
  decimal, octal (``0o``) and hex (``0x``) integers, floats; every other value is the text
  written (``09:30``, ``no``, ``2030-01-01``); an integer with a leading zero stays text;
- an unquoted value followed on its line by a comment that starts like a hashtag is refused,
  naming the line, with the fix (quote the text);
- duplicate keys, non-text keys and tags other than YAML's standard ones are refused.

Errors are :class:`Refused`, carrying the file's line; the caller adds the file name.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

__all__ = ["Refused", "compose", "item_lines", "lines", "value"]

_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"null|Null|NULL|~|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
#: After an unquoted value: spaces, then a comment that starts like a hashtag (``#launch``).
_HASHTAG_COMMENT = re.compile(r"[ \t]+(#\w.*)$")
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class Refused(ValueError):
    """A calendar value that would not reach Publer as written, or a file past a limit.

    :param line: the file's line (1-based).
    :param message: what is wrong and what to do.
    """

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Loader(Reader, Scanner, Parser, Composer, BaseResolver):
    """PyYAML's reading, scanning, parsing and composing; no implicit types, no construction."""

    def __init__(self, stream: str, max_nesting: int) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self.max_nesting = max_nesting
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise Refused(
                event.start_mark.line + 1,
                "uses a YAML anchor or alias (&name / *name); calendar files may not: write each value out",
            )
        self.depth += 1
        if self.depth > self.max_nesting:
            raise Refused(
                event.start_mark.line + 1, f"nests lists or objects deeper than {self.max_nesting} levels"
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def compose(content: str, *, max_nesting: int) -> Node | None:
    """The YAML document's node tree, anchors and aliases refused, nesting at most ``max_nesting``.

    :raises Refused: an anchor or alias, or nesting past the limit.
    :raises yaml.YAMLError: the text is not valid YAML (or holds several documents).
    """
    loader = _Loader(content, max_nesting)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def item_lines(node: Node) -> list[str]:
    """``line N`` of each item of the list of posts (top level, or under ``posts``)."""
    if isinstance(node, MappingNode):
        node = next(
            (item for key, item in node.value if isinstance(key, ScalarNode) and key.value == "posts"), node
        )
    if not isinstance(node, SequenceNode):
        return []
    return [f"line {item.start_mark.line + 1}" for item in node.value]


def lines(content: str) -> list[str]:
    """The file's lines as YAML counts them (the marks of the nodes point into these)."""
    return _LINE_BREAK.split(content)


def value(node: Node, content: list[str], path: str = "") -> Any:
    """The Python value of a node tree, each plain value by YAML 1.2's core schema.

    :param node: the node (from :func:`compose`).
    :param content: the file's :func:`lines` (to see what follows a value on its line).
    :param path: where the node is, for messages (``[0].networks.twitter.text``).
    :raises Refused: a value that would reach Publer changed, a duplicate or non-text key, a tag.
    """
    line = node.start_mark.line + 1
    if node.tag not in (f"{_TAG}str", f"{_TAG}seq", f"{_TAG}map"):
        raise Refused(line, f"{path or 'the file'}: uses the YAML tag {node.tag}; write the value without it")
    if isinstance(node, SequenceNode):
        return [value(item, content, f"{path}[{index}]") for index, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, item in node.value:
            key = value(key_node, content, path)
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                raise Refused(
                    key_node.start_mark.line + 1, f"{where}: keys must be text; quote it: '{key_node.value}'"
                )
            if key in out:
                raise Refused(
                    key_node.start_mark.line + 1,
                    f"{where}: appears twice in one object; YAML would keep only the last. Remove one",
                )
            out[key] = value(item, content, where)
        return out
    assert isinstance(node, ScalarNode)
    if node.style is not None:  # quoted, literal (|) or folded (>): text as written
        return node.value
    resolved = _plain(node.value)
    if isinstance(resolved, str):
        _no_hashtag_comment(node, content, path, resolved)
    return resolved


def _plain(text: str) -> Any:
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    try:
        if _INT.fullmatch(text):
            return int(text)
        if _OCTAL.fullmatch(text):
            return int(text[2:], 8)
        if _HEX.fullmatch(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts: no post field is such a number
        return text
    if _FLOAT.fullmatch(text) and not re.fullmatch(r"[-+]?0[0-9]+", text):
        return float(text)
    if _INFINITY.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def _no_hashtag_comment(node: ScalarNode, content: list[str], path: str, text: str) -> None:
    end = node.end_mark
    rest = content[end.line][end.column :] if end.line < len(content) else ""
    comment = _HASHTAG_COMMENT.match(rest)
    if comment is None:
        return
    meant = f"{text} {comment.group(1)}".replace('"', '\\"')
    raise Refused(
        end.line + 1,
        f"{path}: YAML reads the unquoted value up to ' #' and the rest ({comment.group(1)!r}) as a comment, "
        f'so Publer would get {text!r} without it; quote the text: "{meant}"',
    )
