#!/usr/bin/env python3
"""Parses a Prometheus textfile with the Prometheus project's own Python parser and prints
what it read as JSON, for the tests (Tests/CLITests/MetricsTextfileTests.swift).

    /usr/bin/python3 scripts/parse_textfile.py FILE

Uses prometheus_client.parser.text_string_to_metric_families (Debian package
python3-prometheus-client, 0.16.0 on Debian 12; `make deps` installs it). Prints
{"families": [{"name", "type", "documentation", "samples": [{"name", "labels", "value"}]}]};
non-finite values as the strings "NaN", "+Inf", "-Inf". Exit 3 when the parser is missing,
1 when the file does not parse.
"""
import json
import math
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.stderr.write("prometheus_client is not installed: sudo apt-get install -y python3-prometheus-client (make deps)\n")
    sys.exit(3)


def value(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return v


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    try:
        families = [
            {
                "name": fam.name,
                "type": fam.type,
                "documentation": fam.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": value(s.value)} for s in fam.samples],
            }
            for fam in text_string_to_metric_families(text)
        ]
    except Exception as e:  # the parser raises ValueError and others on malformed input
        sys.stderr.write(f"the textfile does not parse: {e!r}\n")
        sys.exit(1)
    json.dump({"families": families}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
