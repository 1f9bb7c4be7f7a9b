"""Convert Kubernetes audit events to ECS documents with the k8s-audit-ecs component.

The component is run with the `wasmtime` package from PyPI (its `wasmtime.component` API):
no bindings are generated, values cross as plain Python objects.

Usage:

    pip install -r requirements.txt
    python convert.py [--profile NAME] [--field NAME] [--cluster-name NAME] COMPONENT.wasm [INPUT.ndjson|-] > out.ndjson

The profiles are the component's own (its `profiles` function); an unknown one is refused with
the list. INPUT holds one JSON record per line (gzip is recognised by its magic bytes); `-` or no
INPUT reads standard input. One ECS document per line goes to stdout, in input order. A
record that fails is written back by the component's `error-document` (the record with
`error.type` and `error.message` added), so nothing is lost. A summary goes to stderr.

How WIT values map to Python in wasmtime-py: `string` <-> `str`, `list<T>` <-> `list`,
`enum` <-> `str`, `option<T>` <-> value or `None`, `record` <-> `wasmtime.component.Record`
(attributes named as in the WIT, e.g. `event-field`), a `variant` whose cases share a Python
type <-> `Variant(tag, payload)`, a `result` whose cases do not <-> the bare ok/err value,
`own`/`borrow` resources <-> `ResourceAny`.
"""

import argparse
import gzip
import sys
import time

from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import Component, Linker, Record, Variant

INTERFACE = "k8s-audit-ecs:transform/normalizer@0.2.0"
BATCH_SIZE = 256  # records per `transform-batch` call, to amortise the host/guest crossing


class Normalizer:
    """The component's `normalizer` interface, instantiated once in its own store."""

    def __init__(self, path):
        engine = Engine()
        component = Component.from_file(engine, path)
        self.store = Store(engine)
        linker = Linker(engine)
        with linker.root() as root:
            # The only import the component calls: once, to seed its hash maps.
            with root.add_instance("wasi:random/insecure-seed@0.2.6") as seed:
                seed.add_func("insecure-seed", lambda _store: (0x6B38_6173_2D61_7564, 0x6974_2D65_6373_0000))
        # wasi:cli/* and wasi:io/* are imported but never called: any call traps.
        linker.define_unknown_imports_as_traps(component)
        self.instance = linker.instantiate(self.store, component)
        self.iface = self.instance.get_export_index(self.store, INTERFACE)
        if self.iface is None:
            raise SystemExit(f"error: {path}: the component does not export `{INTERFACE}`")
        self._batch = self._func("[method]transformer.transform-batch")
        self._error_document = self._func("error-document")
        self.transformer = None

    def profiles(self):
        """The component's profiles: (name, description) pairs."""
        return [(p.name, p.description) for p in self._call(self._func("profiles"))]

    def start(self, profile, event_field=None, cluster_name=None):
        """Builds the transformer; `profile` is the name of a `profile` enum case."""
        options = Record()
        options.profile = profile  # enum case name
        setattr(options, "event-field", event_field)  # option<string>: None means `log`
        setattr(options, "cluster-name", cluster_name)  # option<string>
        self.transformer = self._call(self._func("[constructor]transformer"), options)

    def _func(self, name):
        index = self.instance.get_export_index(self.store, name, self.iface)
        return self.instance.get_func(self.store, index)

    def _call(self, func, *args):
        result = func(self.store, *args)
        func.post_return(self.store)
        return result

    def convert(self, records):
        """One (documents, failed) triple per record: its documents, how many of them are
        error documents of events that failed on their own, and whether the whole record
        failed (then the one document is its error document)."""
        for record, result in zip(records, self._call(self._batch, self.transformer, records)):
            if isinstance(result, Variant):  # err(transform-error): tag and payload
                yield [self._call(self._error_document, record, result)], 1, True
            else:  # ok(converted): a record with `documents` and `failures`
                yield result.documents, len(result.failures), False

    def close(self):
        self.transformer.drop(self.store)


def read_lines(path):
    """The input's lines as text, without their line ends (invalid UTF-8 bytes replaced)."""
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    if stream.peek(2)[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream)
    with stream:
        for line in stream:
            yield line.rstrip(b"\n").rstrip(b"\r").decode("utf-8", "replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="baseline", help="a profile the component offers (default: baseline)")
    parser.add_argument("--cluster-name", dest="cluster_name", metavar="NAME", help="orchestrator.cluster.name, for the profiles that write it")
    parser.add_argument("--field", dest="event_field", metavar="NAME", help="field holding the event text when a record has no `message` (default: log)")
    parser.add_argument("component", help="k8s_audit_ecs.wasm")
    parser.add_argument("input", nargs="?", default="-", help="NDJSON file, or - for stdin")
    args = parser.parse_args()

    started = time.monotonic()
    try:
        normalizer = Normalizer(args.component)
    except (OSError, WasmtimeError) as error:
        print(f"error: {args.component}: {error}", file=sys.stderr)
        return 2
    profiles = normalizer.profiles()
    if args.profile not in [name for name, _ in profiles]:
        listed = "\n".join(f"  {name}: {description}" for name, description in profiles)
        print(f"error: unknown profile `{args.profile}`; the component offers:\n{listed}", file=sys.stderr)
        return 2
    normalizer.start(args.profile, args.event_field, args.cluster_name)
    out = sys.stdout.buffer
    records = documents = errors = 0
    batch = []

    def flush():
        nonlocal records, documents, errors
        for docs, failed, whole in normalizer.convert(batch):
            records += 1
            errors += failed
            documents += 0 if whole else len(docs) - failed
            for doc in docs:
                out.write(doc.encode("utf-8") + b"\n")
        batch.clear()

    try:
        for line in read_lines(args.input):
            batch.append(line)
            if len(batch) == BATCH_SIZE:
                flush()
        if batch:
            flush()
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out.flush()
    normalizer.close()
    elapsed = time.monotonic() - started
    print(f"records: {records}, documents: {documents}, errors: {errors}, elapsed: {elapsed:.2f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
