"""Reading a testbed file: the file itself, YAML syntax (keys given twice refused), and the
words used to describe a bad value without ever showing it."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

from harness.errors import TestbedError


def read_document(path: Path) -> Any:
    """The YAML document of the testbed file at ``path``; a TestbedError says what is wrong."""
    return _parse_yaml(path, _read(path))


def _read(path: Path) -> str:
    fix = "pass the path of a YAML testbed file, or none to use one virtual chassis"
    if not path.exists():
        raise TestbedError(path, "(file)", "no such file", fix)
    if not path.is_file():
        raise TestbedError(path, "(file)", "not a regular file", fix)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TestbedError(
            path,
            "(file)",
            f"cannot read it ({exc.strerror})",
            "check that the file exists and is readable by this user",
        ) from None
    except UnicodeDecodeError:
        raise TestbedError(path, "(file)", "not UTF-8 text", "save it as UTF-8 YAML") from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(path: Path, text: str) -> Any:
    """The YAML document; syntax errors give line and column (never the file's text)."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "syntax error"
        raise TestbedError(
            path,
            "(yaml)",
            f"invalid YAML{where}: {what}",
            "fix the YAML there (indent with spaces, write 'key: value')",
        ) from None
    except yaml.YAMLError as exc:
        raise TestbedError(path, "(yaml)", f"invalid YAML: {type(exc).__name__}", "fix the YAML syntax") from None
    except RecursionError:
        raise TestbedError(
            path, "(yaml)", "nested too deeply to read", "a testbed needs a few levels of nesting: flatten it"
        ) from None


def kind_of(value: Any) -> str:
    """What a YAML value is, in words, without showing it."""
    if isinstance(value, bool):
        return "true/false"
    for types, word in ((dict, "a mapping"), (list, "a list"), (str, "a string"), ((int, float), "a number")):
        if isinstance(value, types):
            return word
    return f"a {type(value).__name__}"


def suggest(name: Any, allowed: tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a close match of ``name`` in ``allowed``, else ""."""
    text = str(name)
    close = [a for a in allowed if a.lower() == text.lower()]
    close = close or difflib.get_close_matches(text, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
