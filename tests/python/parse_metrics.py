#!/usr/bin/env python3
"""Parses Prometheus text exposition (0.0.4) from stdin with the official
client's parser (Debian's python3-prometheus-client) and prints it in a form a
C++ test reads without a parser of its own:

    F <family> <type>
    S <sample name> <value> <label>=<hex of UTF-8 value>,...

Exits non-zero (with the reason on stderr) when the parser refuses the text or
when it holds what the parser tolerates but Prometheus would not: a family
described twice, a series (name and labels) given twice, a counter that is
negative or not a whole number.
"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.buffer.read().decode("utf-8")  # the format is UTF-8
    families = set()
    series = set()
    out = []
    try:
        for fam in text_string_to_metric_families(text):
            if fam.name in families:
                raise ValueError(f"family {fam.name} appears twice")
            families.add(fam.name)
            out.append(f"F {fam.name} {fam.type}")
            for s in fam.samples:
                key = (s.name, tuple(sorted(s.labels.items())))
                if key in series:
                    raise ValueError(f"series {key} appears twice")
                series.add(key)
                if fam.type == "counter" and (s.value < 0 or s.value != int(s.value)):
                    raise ValueError(f"counter {key} has value {s.value}")
                labels = ",".join(f"{k}={v.encode('utf-8').hex()}"
                                  for k, v in sorted(s.labels.items()))
                out.append(f"S {s.name} {s.value!r} {labels}")
    except Exception as e:  # the parser raises ValueError and others
        print(f"parse_metrics: invalid exposition: {e}", file=sys.stderr)
        return 1
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
