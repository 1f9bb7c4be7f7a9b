#!/usr/bin/env python3
"""NDJSON records for the Fluent Bit scripts in this folder (one record per line on stdout).

  gen-records.py fixtures          every fixtures/**/*.json record: its `input` compacted as the
                                   fixture harness does (whitespace outside strings removed, key
                                   order and escapes kept) or its `input_text` as it is (a text
                                   holding a raw newline is left out: it would be two lines),
                                   then fixtures/sample-audit.log and bench/pod-create.json
  gen-records.py bench N           N bare audit events, one per line, repeating a fixed mix:
                                   the three documented samples (the `message` texts of
                                   fixtures/baseline/*.json), the ten lines of
                                   fixtures/sample-audit.log, and every 50th line the 19 KB pod
                                   create of bench/pod-create.json
  gen-records.py pod BYTES         one RequestResponse pod-create event of about BYTES bytes
                                   (bench/pod-create.json's shape, grown with containers and
                                   their managedFields entries), for heap/stack sizing
  gen-records.py deep DEPTH        bench/pod-create.json with a container field nested DEPTH
                                   levels deep in requestObject.spec.containers (the extended
                                   profile copies it): the worst case for the stack

Needs: python3 only (standard library).
"""
import copy
import glob
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def compact(text):
    """Removes whitespace outside strings; everything inside strings stays as written."""
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif c not in " \t\r\n":
            out.append(c)
        i += 1
    return "".join(out)


def fixture_input_text(path):
    """The fixture's record: its `input` value as compact text, with its original key order and
    escapes, or its `input_text` string (the record's exact text) as it is."""
    raw = open(path, encoding="utf-8").read()
    fixture = json.loads(raw)
    if "input_text" in fixture:
        return fixture["input_text"]
    if "input" not in fixture:
        raise SystemExit(f"{path}: not a fixture (no input or input_text)")
    text = compact(raw)
    # `input` is the first key in every fixture; find it at the top level otherwise.
    decoder = json.JSONDecoder()
    if not text.startswith('{"input":'):
        pos = 1
        while True:
            key, pos = decoder.raw_decode(text, pos)
            pos += 1  # the colon
            if key == "input":
                start = pos
                break
            _, pos = decoder.raw_decode(text, pos)
            pos += 1  # the comma
    else:
        start = len('{"input":')
    _, end = decoder.raw_decode(text, start)
    return text[start:end]


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def cmd_fixtures():
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "**", "*.json"), recursive=True)):
        text = fixture_input_text(path)
        if "\n" in text or "\r" in text:
            print(f"gen-records.py: {path}: the record holds a raw newline, left out", file=sys.stderr)
            continue
        print(text)
    for line in lines(os.path.join(ROOT, "fixtures", "sample-audit.log")):
        print(line)
    for line in lines(os.path.join(ROOT, "bench", "pod-create.json")):
        print(line)


def bench_mix():
    samples = []
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "baseline", "*.json"))):
        message = json.loads(fixture_input_text(path))["message"]
        # One bare event per line: the sample's text, its trailing newline dropped (the
        # samples hold no other raw newline).
        samples.append(message.rstrip("\n"))
    small = samples + lines(os.path.join(ROOT, "fixtures", "sample-audit.log"))
    pod = lines(os.path.join(ROOT, "bench", "pod-create.json"))[0]
    for s in small + [pod]:
        if "\n" in s:
            raise SystemExit("an event holds a raw newline")
    return small, pod


def cmd_bench(n):
    small, pod = bench_mix()
    out = sys.stdout
    k = 0
    for i in range(n):
        if i % 50 == 49:
            out.write(pod)
        else:
            out.write(small[k % len(small)])
            k += 1
        out.write("\n")


def pod_event(containers, env):
    """bench/pod-create.json's event with `containers` containers of `env` variables each."""
    event = json.loads(lines(os.path.join(ROOT, "bench", "pod-create.json"))[0])
    for obj in (event["requestObject"], event["responseObject"]):
        base = obj["spec"]["containers"][0]
        grown = []
        for c in range(containers):
            item = copy.deepcopy(base)
            item["name"] = f"c{c}"
            item["env"] = [{"name": f"ENV_{i}", "value": f"value-{c}-{i}"} for i in range(env)]
            grown.append(item)
        obj["spec"]["containers"] = grown
    fields = event["responseObject"]["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]
    base_fields = next(iter(fields["f:containers"].values()))
    fields["f:containers"] = {}
    for c in range(containers):
        item = copy.deepcopy(base_fields)
        item["f:env"] = {f'k:{{"name":"ENV_{i}"}}': {".": {}, "f:name": {}, "f:value": {}} for i in range(env)}
        fields["f:containers"][f'k:{{"name":"c{c}"}}'] = item
    return json.dumps(event, separators=(",", ":"))


def cmd_pod(size):
    # About 1.2 KB per container with 8 variables, then the variables grow too.
    env = 8 if size < 200_000 else 32
    lo, hi = 1, 1
    while len(pod_event(hi, env)) < size:
        lo, hi = hi, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        if len(pod_event(mid, env)) < size:
            lo = mid + 1
        else:
            hi = mid
    print(pod_event(lo, env))


def cmd_deep(depth):
    event = json.loads(lines(os.path.join(ROOT, "bench", "pod-create.json"))[0])
    # DEPTH levels of objects and arrays, counting the event itself as the first.
    value = {"v": 1}
    for _ in range(max(depth - 5, 1) - 1):
        value = {"x": value}
    event["requestObject"]["spec"]["containers"][0]["nested"] = value
    print(json.dumps(event, separators=(",", ":")))


def main(argv):
    if len(argv) >= 1 and argv[0] == "fixtures":
        cmd_fixtures()
    elif len(argv) == 2 and argv[0] == "bench":
        cmd_bench(int(argv[1]))
    elif len(argv) == 2 and argv[0] == "pod":
        cmd_pod(int(argv[1]))
    elif len(argv) == 2 and argv[0] == "deep":
        cmd_deep(int(argv[1]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
