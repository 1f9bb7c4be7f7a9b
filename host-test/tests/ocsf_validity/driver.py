"""Checks OCSF documents for host-test/tests/ocsf_validity.rs with tests/data/ocsf/ocsf_check.py.

Reads one JSON object a line on standard input, {"label": ..., "document": ...}, and writes one
a line, {"label": ..., "problems": [...]}: what the checker finds wrong (empty when the
document is valid OCSF 1.8.0 API Activity).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "data", "ocsf"))
import ocsf_check  # noqa: E402

for line in sys.stdin:
    case = json.loads(line)
    print(json.dumps({"label": case["label"], "problems": ocsf_check.problems(case["document"])}))
