"""Kubernetes API-server audit events to ECS (Elastic Common Schema) documents.

The transform is the k8s-audit-ecs WebAssembly component, shipped inside this package and run
by PyPI's `wasmtime`: the same artifact, and so the same documents, as every other host.

    from k8s_audit_ecs import Transformer

    transformer = Transformer(profile="ecs", cluster_name="prod-1")
    converted = transformer.transform(line)        # one record: its documents
    output = transformer.transform_lines(text)     # many records, one per line: NDJSON

A record that fails as a whole raises `TransformError`; `error_document(record, error)` gives
the record back with `error.type` and `error.message`, so nothing need be lost. The mapping
(every profile, field by field) is documented in the project's `docs/` folder.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Any, List, Optional, Tuple

from wasmtime.component import Record, Variant

from . import _runtime

__all__ = [
    "Converted",
    "EventFailure",
    "LineFailure",
    "LinesOutput",
    "Transformer",
    "TransformError",
    "error_document",
    "keep_large_results_on_the_heap",
    "profiles",
    "__version__",
]

__version__: str = metadata.version("k8s-audit-ecs")


class TransformError(Exception):
    """A record, or one event of it, that could not be converted.

    `keyword` is what its error document's `error.type` says (`invalid_json`,
    `not_an_object`, `not_an_audit_event`, `invalid_base64`, `invalid_gzip`,
    `payload_too_large`, `invalid_envelope`, and the hosts' own `invalid_utf8` and
    `component_trap`); `message` says what was wrong. For `invalid_json`, `line` and `column`
    give the position (1-based)."""

    def __init__(self, keyword: str, message: str, line: Optional[int] = None, column: Optional[int] = None) -> None:
        super().__init__(f"{keyword}: {message}")
        self.keyword = keyword
        self.message = message
        self.line = line
        self.column = column

    @classmethod
    def _from_wit(cls, error: Variant) -> "TransformError":
        keyword = error.tag.replace("-", "_")
        if error.tag == "invalid-json":
            syntax = error.payload
            return cls(keyword, syntax.message, syntax.line, syntax.column)
        return cls(keyword, error.payload)

    def _to_wit(self) -> Variant:
        tag = self.keyword.replace("_", "-")
        if tag == "invalid-json":
            syntax = Record()
            syntax.line = self.line or 0
            syntax.column = self.column or 0
            syntax.message = self.message
            return Variant(tag, syntax)
        return Variant(tag, self.message)


@dataclass(frozen=True)
class EventFailure:
    """An event of a record that failed on its own: its error document stands at
    `documents[index]`."""

    index: int
    error: TransformError


@dataclass(frozen=True)
class Converted:
    """A record's documents, in order, one compact JSON text each (an `EventList` or a cloud
    envelope yields several, a CloudWatch control message none), with the error documents of
    events that failed on their own in their places, listed in `failures`."""

    documents: List[str]
    failures: List[EventFailure]


@dataclass(frozen=True)
class LineFailure:
    """A failure in a `transform_lines` text: the 1-based `line`, and for an event that failed
    inside a record (an `EventList` item, an envelope's event) its position `event`."""

    line: int
    event: Optional[int]
    error: TransformError


@dataclass(frozen=True)
class LinesOutput:
    """What `transform_lines` gives: `documents`, the NDJSON text (one document per line, each
    ending in a line feed, failed records already written through as their error documents);
    the count of `records` read, of documents `converted`, of records `skipped` (they yielded
    nothing), and every failure."""

    documents: str
    records: int
    converted: int
    skipped: int
    failures: List[LineFailure]
    #: With `more=True`: how many bytes (of the text's UTF-8) at its end were not read, because
    #: a value spread over lines opens there; give them again in front of the next text.
    unconverted: int = 0


def keep_large_results_on_the_heap() -> None:
    """Tells glibc's malloc to serve blocks of up to 32 MiB from its heap, and to keep 64 MiB
    of freed memory before giving it back to the system. Call it once in a process whose main
    work is converting (the `k8s-audit-ecs` command, a Spark or Beam worker): each
    `transform_lines` result of a few MB is otherwise a fresh `mmap` whose pages fault in anew
    at every call, about 30% of an `ecs` run (the project's docs/performance.md). It changes
    the whole process's allocator, so the library never calls it by itself. A no-op where the
    C library is not glibc (mallopt then does nothing or is absent)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 64 << 20)


_shared: Optional[_runtime.Instance] = None


def _shared_instance() -> _runtime.Instance:
    """An instance for the module-level functions (profiles, error documents)."""
    global _shared
    if _shared is None:
        _shared = _runtime.Instance()
    return _shared


def profiles() -> List[Tuple[str, str]]:
    """The component's profiles, as (name, description) pairs, the default first."""
    return [(p.name, p.description) for p in _shared_instance().func("profiles")()]


def error_document(record: str, error: TransformError) -> str:
    """The document written for a record that failed as a whole: the record as it came, with
    `error.type` and `error.message` added (a record that is not a JSON object becomes
    `{"message": <record>, "error": {...}}`)."""
    return _shared_instance().func("error-document")(record, error._to_wit())


class Transformer:
    """Converts records with one profile and its options. Build one and reuse it: the
    component is compiled once per process (and its machine code cached on disk), and each
    transformer has its own instance. Not thread-safe: use one per thread."""

    def __init__(self, profile: str = "baseline", cluster_name: Optional[str] = None, event_field: Optional[str] = None) -> None:
        """`profile`: one of `profiles()` (`baseline`, the documented contract; `extended`;
        `ecs`, what Elastic's and Sigma's Kubernetes rules query; `ocsf`, OCSF 1.8.0 API
        Activity). `cluster_name`: written by the profiles that write it
        (`orchestrator.cluster.name` in ecs, `unmapped.cluster_name` in ocsf), where the
        record names no cluster. `event_field`: the string field holding the event when a record has no
        `message` (default `log`). Raises `ValueError` for an unknown profile."""
        instance = _runtime.Instance()
        known = [p.name for p in instance.func("profiles")()]
        if profile not in known:
            raise ValueError(f"unknown profile {profile!r}; the component offers: {', '.join(known)}")
        options = Record()
        options.profile = profile
        setattr(options, "event-field", event_field)
        setattr(options, "cluster-name", cluster_name)
        self.profile = profile
        self._instance = instance
        self._resource = instance.func("[constructor]transformer")(options)
        self._transform = instance.func("[method]transformer.transform")
        self._transform_lines = instance.func("[method]transformer.transform-lines")

    def transform(self, record: str) -> Converted:
        """One record (a JSON object as text) to its documents. Raises `TransformError` when
        the whole record fails (not JSON, not an object, not an audit event nor an envelope of
        them, an envelope that cannot be decoded)."""
        result = self._transform(self._resource, record)
        if isinstance(result, Variant):  # err(transform-error)
            raise TransformError._from_wit(result)
        return Converted(list(result.documents), [EventFailure(f.index, TransformError._from_wit(f.error)) for f in result.failures])

    def transform_lines(self, text: str, more: bool = False) -> LinesOutput:
        """A text of records, one per line (a line of several JSON objects run together is
        that many; a value spread over lines, pretty-printed, is one), to NDJSON: the fast path
        for streams, one crossing into the component per call. Never raises for bad records:
        they are written through as their error documents and listed in `failures`.

        `more=True` when more text follows (a stream read in pieces, each cut after a line
        feed): a value spread over lines that this text cuts off is not converted, and
        `unconverted` says how many bytes at its end to give again with the next text."""
        out: Any = self._transform_lines(self._resource, text, more)
        return LinesOutput(
            out.documents,
            out.records,
            out.converted,
            out.skipped,
            [LineFailure(f.line, f.event, TransformError._from_wit(f.error)) for f in out.failures],
            out.unconverted,
        )

    def close(self) -> None:
        """Releases the component's transformer now (otherwise its instance's memory goes when
        the transformer is collected)."""
        if self._resource is not None:
            self._resource.drop(self._instance.store)
            self._resource = None

    def __enter__(self) -> "Transformer":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
