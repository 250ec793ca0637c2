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


def scan_string(s, i):
    """s[i] starts a string literal ('"' or '#"'); return index after it."""
    j = i
    hashes = 0
    while s[j] == '#': hashes += 1; j += 1
    assert s[j] == '"'
    if s.startswith('"""', j):
        end = '"""' + '#'*hashes
        j += 3
        while True:
            if s[j] == '\\' and hashes == 0:
                if s[j+1] == '(':
                    j = scan_balanced(s, j+1) ; continue
                j += 2; continue
            if s.startswith(end, j): return j + len(end)
            j += 1
    end = '"' + '#'*hashes
    j += 1
    while True:
        if s[j] == '\\' and hashes == 0:
            if s[j+1] == '(':
                j = scan_balanced(s, j+1); continue
            j += 2; continue
        if s.startswith(end, j): return j + len(end)
        if s[j] == '\n': raise ValueError("newline in string at %d" % j)
        j += 1

def scan_balanced(s, i):
    """s[i] is an opening bracket; return index after its match."""
    pairs = {'(': ')', '[': ']', '{': '}'}
    stack = [pairs[s[i]]]
    j = i + 1
    while stack:
        c = s[j]
        if c == '"' or (c == '#' and s[j+1] in '#"' and not s[j+1:].startswith('#expect')):
            # raw string only if #" or ##"
            k = j
            while s[k] == '#': k += 1
            if s[k] == '"':
                j = scan_string(s, j); continue
        if s.startswith('//', j):
            j = s.index('\n', j); continue
        if s.startswith('/*', j):
            j = s.index('*/', j) + 2; continue
        if c in pairs: stack.append(pairs[c])
        elif c in ')]}':
            if c != stack[-1]: raise ValueError("mismatch at %d" % j)
            stack.pop()
        j += 1
    return j

def top_level_split(arg):
    parts, depth, start, j = [], 0, 0, 0
    while j < len(arg):
        c = arg[j]
        if c == '"' or (c == '#' and j+1 < len(arg) and arg[j+1] in '#"'):
            k = j
            while arg[k] == '#': k += 1
            if arg[k] == '"':
                j = scan_string(arg, j); continue
        if c in '([{': depth += 1
        elif c in ')]}': depth -= 1
        elif c == ',' and depth == 0:
            parts.append(arg[start:j]); start = j + 1
        j += 1
    parts.append(arg[start:])
    return parts

def has_closure(arg):
    j = 0
    while j < len(arg):
        c = arg[j]
        if c == '"' or (c == '#' and j+1 < len(arg) and arg[j+1] in '#"'):
            k = j
            while arg[k] == '#': k += 1
            if arg[k] == '"':
                j = scan_string(arg, j); continue
        if c == '{': return True
        j += 1
    return False


def offenders(path):
    text = open(path, encoding="utf-8").read()
    for match in re.finditer(r"#(expect|require)\(", text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[line_start:match.start()].lstrip().startswith("//"):
            continue
        close = scan_balanced(text, match.end() - 1)
        first = top_level_split(text[match.end():close - 1])[0]
        if re.match(r"\s*(throws|performing|processExitsWith)\s*:", first):
            continue
        if has_closure(first):
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
