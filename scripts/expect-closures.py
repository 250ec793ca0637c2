#!/usr/bin/env python3
"""Fails when a test passes a closure to `#expect` or `#require`.

Swift 6.3.1 can give a closure written in a macro argument, inside another closure (a test's
`withTemporaryDirectory` body), the same name as the next closure of its type outside the macro,
and then runs one body for both: a `filter` ran an expectation's predicate, and the expectation
passed whatever the code under test did. Tests compute the value first (`let checked = xs.contains
{ ... }` then `#expect(checked)`) or use a named predicate. The `throws:` and trailing-closure forms
are not affected and not checked. See Tests/TrustAuditCoreTests/TestSupport.swift.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests")
CLOSING = {"(": ")", "[": "]", "{": "}"}
MACRO = re.compile(r"#(expect|require)\(")
LABELLED_FORM = re.compile(r"\s*(throws|performing|processExitsWith)\s*:")


def string_end(text, start):
    """The index just after the string literal (plain, raw or multi-line) opening at `start`,
    or None when none opens there."""
    index = start
    while index < len(text) and text[index] == "#":
        index += 1
    if index >= len(text) or text[index] != '"':
        return None
    hashes = index - start
    multiline = text.startswith('"""', index)
    terminator = ('"""' if multiline else '"') + "#" * hashes
    index += 3 if multiline else 1
    while index < len(text):
        if text[index] == "\\" and hashes == 0:
            # An interpolation holds code, strings and brackets of its own.
            index = matching_close(text, index + 1) if text[index + 1] == "(" else index + 2
        elif text.startswith(terminator, index):
            return index + len(terminator)
        else:
            index += 1
    raise ValueError("unterminated string literal")


def matching_close(text, start):
    """The index just after the bracket that closes the one at `start`, skipping strings and
    comments."""
    expected = [CLOSING[text[start]]]
    index = start + 1
    while expected:
        end = string_end(text, index)
        if end is not None:
            index = end
            continue
        if text.startswith("//", index):
            index = text.index("\n", index)
            continue
        if text.startswith("/*", index):
            index = text.index("*/", index) + 2
            continue
        char = text[index]
        if char in CLOSING:
            expected.append(CLOSING[char])
        elif char in ")]}":
            if char != expected.pop():
                raise ValueError(f"unbalanced {char!r}")
        index += 1
    return index


def first_argument(text, open_paren):
    """The text of the first argument of the call whose `(` is at `open_paren`."""
    close = matching_close(text, open_paren) - 1
    index = open_paren + 1
    while index < close:
        end = string_end(text, index)
        if end is not None:
            index = end
        elif text[index] in CLOSING:
            index = matching_close(text, index)
        elif text[index] == ",":
            break
        else:
            index += 1
    return text[open_paren + 1:index]


def has_closure(code):
    index = 0
    while index < len(code):
        end = string_end(code, index)
        if end is not None:
            index = end
        elif code[index] == "{":
            return True
        else:
            index += 1
    return False


def offenders(path):
    """Line numbers of the `#expect`/`#require` calls in `path` given a closure."""
    text = open(path, encoding="utf-8").read()
    for match in MACRO.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[line_start:match.start()].lstrip().startswith("//"):
            continue
        argument = first_argument(text, match.end() - 1)
        if not LABELLED_FORM.match(argument) and has_closure(argument):
            yield text.count("\n", 0, match.start()) + 1


def main():
    found = 0
    for directory, _, names in os.walk(ROOT):
        for name in sorted(names):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(directory, name)
            for line in offenders(path):
                print(f"{os.path.relpath(path, os.path.join(ROOT, '..'))}:{line}: a closure inside #expect/#require; "
                      "compute the value first (see scripts/expect-closures.py)")
                found += 1
    if found:
        print(f"expect-closures: {found} closure(s) passed to #expect/#require")
        return 1
    print("expect-closures: no closure passed to #expect/#require")
    return 0


if __name__ == "__main__":
    sys.exit(main())
