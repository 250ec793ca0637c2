#!/usr/bin/env python3
"""Prints which folders of Sources/TrustAuditCore use which others, and fails on a use that
docs/architecture.md does not allow.

Everything is one Swift module, so there are no imports to read: a folder "uses" another when
one of its files names a type declared there. The allowed direction is the pipeline's, listed in
ALLOWED below and in docs/architecture.md; keep the two the same.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "TrustAuditCore")

# Folder -> folders it may use. Support and Model are the base every folder may use.
BASE = {"Support", "Model"}
ALLOWED = {
    "Support": set(),
    "Model": {"Support"},
    "Parse": BASE,
    "Collect": BASE | {"Parse"},
    "Config": BASE | {"Evaluate", "Parse"},
    "Store": BASE | {"Parse"},
    "Derive": BASE | {"Store", "Parse"},
    "Evaluate": BASE | {"Store", "Parse"},
    "History": BASE | {"Store"},
    "Report": BASE | {"Store", "Evaluate", "History", "Derive"},
    "Scan": BASE | {"Collect", "Parse", "Store", "Derive", "Evaluate", "Config", "History", "Report"},
}

DECLARATION = re.compile(r"^(?:public |internal |fileprivate |private |final |indirect )*(?:struct|enum|class|protocol|actor|typealias)\s+([A-Z][A-Za-z0-9_]*)", re.M)
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"""(?:.|\n)*?"""|"(?:\\.|[^"\\\n])*"')


def swift_files(folder):
    for directory, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".swift"):
                yield os.path.join(directory, name)


def main():
    folders = sorted(d for d in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, d)))
    owner = {}
    texts = {}
    for folder in folders:
        for path in swift_files(os.path.join(ROOT, folder)):
            with open(path, encoding="utf-8") as handle:
                text = STRING.sub('""', COMMENT.sub("", handle.read()))
            texts[path] = (folder, text)
            for name in DECLARATION.findall(text):
                owner.setdefault(name, folder)
    pattern = re.compile(r"\b(" + "|".join(sorted(owner, key=len, reverse=True)) + r")\b") if owner else None
    uses = {}
    for path, (folder, text) in texts.items():
        for name in set(pattern.findall(text)) if pattern else ():
            target = owner[name]
            if target != folder:
                uses.setdefault((folder, target), set()).add((os.path.relpath(path, ROOT), name))
    bad = 0
    for (source, target), places in sorted(uses.items()):
        allowed = target in ALLOWED.get(source, set())
        mark = "ok " if allowed else "NOT ALLOWED"
        print(f"{mark:11} {source} -> {target}: " + ", ".join(sorted({n for _, n in places})[:6]))
        if not allowed:
            bad += 1
            for file, name in sorted(places)[:5]:
                print(f"              {file} uses {name}")
    unknown = [f for f in folders if f not in ALLOWED]
    for folder in unknown:
        print(f"NOT ALLOWED folder {folder} is not in the layer list")
    print(f"{bad} disallowed dependencies, {len(unknown)} unlisted folders")
    return 1 if bad or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
