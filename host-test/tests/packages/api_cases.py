"""Runs the cases of a JSON file through the installed Python package's API and prints one
JSON line per case (host-test/tests/packages.rs compares them with the native core).

A case: {"profile", "cluster_name", "event_field", "record"}. Its line: {"documents",
"failures": [[index, keyword]], "error": [keyword, message] or null, "error_document"}.
"""

import json
import sys

import k8s_audit_ecs
from k8s_audit_ecs import Transformer, TransformError, error_document

k8s_audit_ecs.keep_large_results_on_the_heap()  # the documents must not change
transformers = {}
for case in json.load(open(sys.argv[1], encoding="utf-8")):
    key = (case["profile"], case["cluster_name"], case["event_field"])
    if key not in transformers:
        transformers[key] = Transformer(case["profile"], cluster_name=case["cluster_name"], event_field=case["event_field"])
    out = {"documents": [], "failures": [], "error": None, "error_document": None}
    try:
        converted = transformers[key].transform(case["record"])
        out["documents"] = converted.documents
        out["failures"] = [[f.index, f.error.keyword] for f in converted.failures]
    except TransformError as error:
        out["error"] = [error.keyword, error.message]
        out["error_document"] = error_document(case["record"], error)
    print(json.dumps(out))

# The rest of the API, on the same records: transform_lines, profiles, the version.
lines = Transformer("baseline").transform_lines("not json\n{\"auditID\":\"a\"}\n")
assert (lines.records, lines.converted, lines.skipped) == (2, 1, 0), lines
assert [(f.line, f.error.keyword) for f in lines.failures] == [(1, "invalid_json")], lines.failures
assert lines.documents.count("\n") == 2, lines.documents
assert [name for name, _ in k8s_audit_ecs.profiles()][0] == "baseline"
try:
    Transformer("nope")
    raise AssertionError("an unknown profile was accepted")
except ValueError as error:
    assert "baseline" in str(error)
print(json.dumps({"version": k8s_audit_ecs.__version__, "profiles": [name for name, _ in k8s_audit_ecs.profiles()]}))
