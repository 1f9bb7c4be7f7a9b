"""Prints what `convert_job.py --security-lake` wrote under OUTPUT_DIR, for
host-test/tests/scale_out.rs: one JSON line per Parquet row, {"partition": "region=../accountId=../
eventDay=..", "document": ...}, the document as JSON again (null columns left out, the json_t
columns and `unmapped` read back from their JSON text)."""

import glob
import json
import os
import sys

import pyarrow.parquet as pq

JSON_TEXT = (("api", "request", "data"), ("api", "response", "data"), ("unmapped",))


def without_nulls(value):
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


out = sys.argv[1]
for path in sorted(glob.glob(os.path.join(out, "region=*", "accountId=*", "eventDay=*", "*.parquet"))):
    partition = os.path.relpath(os.path.dirname(path), out)
    for row in pq.ParquetFile(path).read().to_pylist():
        document = without_nulls(row)
        for parts in JSON_TEXT:
            holder = document
            for key in parts[:-1]:
                holder = holder.get(key, {})
            if parts[-1] in holder:
                holder[parts[-1]] = json.loads(holder[parts[-1]])
        print(json.dumps({"partition": partition, "document": document}))
