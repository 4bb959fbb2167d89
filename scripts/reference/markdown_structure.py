#!/usr/bin/env python3
"""Cross-check MLAudit's Markdown escaping with GitHub's own parser (cmark-gfm).

Runs the built `mlaudit` twice over the same small pipeline: once with plain column names and
category values, once with hostile ones (Prepend, combining, bidi and control scalars around
`<`, `&`, `|`, backticks, brackets, URLs, e-mail addresses, @mentions). Renders each report.md
and ticket with cmark-gfm (the GitHub-flavoured extensions: tables, autolinks, strikethrough,
tag filter) and compares the HTML element structure of the two: it must be identical, so no
link, raw HTML, emphasis, code span or table cell came from data. Also checks that no
`raw HTML omitted` marker and no `<a` beyond the template's own links appear.

This is the independent check of Tests/RenderTests/EscapingTests.swift
(hostileStringsNeverBecomeMarkup), whose Markdown oracle is a token counter written for the test.

Usage:  python3 scripts/reference/markdown_structure.py [path/to/mlaudit]   (default .build/debug/mlaudit)
Requires: cmarkgfm (ran with cmarkgfm 2025.10.22 from PyPI).
Exit status 0 when every pair has the same structure, 1 otherwise.
"""
import os
import random
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

import cmarkgfm
from importlib.metadata import version

PIECES = [
    "<", ">", "&", "\"", "'", "|", "`", "``", "```", "[", "]", "(", ")", "\\", "*", "_", "~", "$", "#", "@", "!", "-", " ",
    "://", "www.", "http://e.vil/x", "<http://e.vil>", "[a](javascript:alert(1))", "![i](x)", "<img src=x onerror=alert(1)>",
    "</td></tr></table><script>", "&lt;", "&#60;", "<!--", "-->", "\t", "\x1b[31m", "\x7f", "\u0085", "\u009b", "1. ", "# ",
    "---", "a@b.co", "@octocat", "WWW.x.io", "https://x.io", "\u0600", "\u0601", "\u06dd", "\u0301", "\u0338", "\u200d",
    "\u202e", "\u2066", "\u200f", "\u2028", "\u2029", "\ufeff", "\U0001f600", "\ufffe",
]


def hostile(rng):
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))


def csv_field(s):
    return '"' + s.replace('"', '""') + '"'


def pipeline(root, headers, categories):
    os.makedirs(os.path.join(root, "days"), exist_ok=True)
    with open(os.path.join(root, "p.yaml"), "w") as f:
        f.write(
            "name: p\nmodel:\n  name: m\n  version: \"1\"\nbaseline:\n  path: base.csv\nsnapshots:\n  path: days/{date}.csv\n"
            "schema:\n  features:\n    - name: x\n      type: numeric\n    - name: c\n      type: categorical\n"
            "      allowed: [a, b]\nwarehouse: p.sqlite\nreport:\n  output: reports\n")
    with open(os.path.join(root, "base.csv"), "w") as f:
        f.write("x,c\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(40)))
    with open(os.path.join(root, "days", "2026-02-01.csv"), "w") as f:
        f.write(",".join(["x", "c"] + [csv_field(h) for h in headers]) + "\n")
        for i in range(40):
            f.write(",".join([str(i + 50), csv_field(categories[i % len(categories)])] + ["1"] * len(headers)) + "\n")
        f.write(csv_field(categories[0]) + ",broken," + csv_field(headers[0]) + "\n")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.comments = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(k for k, _ in attrs))))

    def handle_comment(self, data):
        self.comments.append(data)


def structure(markdown):
    html = cmarkgfm.github_flavored_markdown_to_html(markdown)
    p = Tags()
    p.feed(html)
    return p.tags, p.comments


def render(exe, root, headers, categories):
    pipeline(root, headers, categories)
    run = subprocess.run([exe, "run", "p.yaml", "--quiet"], cwd=root, capture_output=True)
    if run.returncode not in (0, 1):
        raise SystemExit(f"mlaudit run failed: {run.stderr.decode(errors='replace')}")
    with open(os.path.join(root, "reports/p/2026-02-01/v1/report.md"), encoding="utf-8") as f:
        md = f.read()
    ticket = subprocess.run([exe, "ticket", "p.yaml", "--date", "2026-02-01"], cwd=root, capture_output=True, check=True)
    return [md, ticket.stdout.decode("utf-8")]


def main():
    exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/mlaudit")
    rng = random.Random(0x12A)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        plain = render(exe, os.path.join(tmp, "plain"), ["h1", "h2", "h3"], ["k1", "k2", "k3"])
        plain_structure = [structure(m) for m in plain]
        for trial in range(30):
            headers = [f"h{i}" + hostile(rng) for i in range(3)]
            categories = [f"k{i}" + hostile(rng) for i in range(3)]
            outs = render(exe, os.path.join(tmp, f"t{trial}"), headers, categories)
            for name, md, (ptags, _) in zip(["report.md", "ticket"], outs, plain_structure):
                tags, comments = structure(md)
                if tags != ptags or any("raw HTML omitted" in c for c in comments):
                    failures += 1
                    i = next((k for k, (a, b) in enumerate(zip(tags, ptags)) if a != b), min(len(tags), len(ptags)))
                    print(f"trial {trial} {name}: structure differs at element {i}: "
                          f"{tags[i] if i < len(tags) else 'end'} vs {ptags[i] if i < len(ptags) else 'end'}; "
                          f"headers {headers!r} categories {categories!r}")
    print(f"cmarkgfm {version('cmarkgfm')}: 30 hostile runs x (report.md, ticket): {failures} differ from the plain run")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
