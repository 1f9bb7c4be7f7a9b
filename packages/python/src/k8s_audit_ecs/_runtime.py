"""The component under wasmtime-py: compiled once per process, its machine code cached on disk.

Only this module touches wasmtime. It loads `k8s_audit_ecs.wasm` (shipped in the package),
links the one import the component calls (`wasi:random/insecure-seed`, a constant seed) and
defines every other import as a trap, as host-test does: the transform needs no clock, file,
network or randomness.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Callable, Optional

from wasmtime import Engine, Store
from wasmtime.component import Component, Linker

#: The WIT interface the package calls (wit/k8s-audit-ecs.wit).
INTERFACE = "k8s-audit-ecs:transform/normalizer@0.4.0"
#: The seed the component's hash maps get; any value works (they never hold input).
_SEED = (0x6B38_6173_2D61_7564, 0x6974_2D65_6373_0000)

_lock = threading.Lock()
_loaded: Optional["_Loaded"] = None


class _Loaded:
    """The engine, the compiled component and a linker ready to instantiate it."""

    def __init__(self, engine: Engine, component: Component, linker: Linker) -> None:
        self.engine = engine
        self.component = component
        self.linker = linker


def cache_dir() -> Optional[Path]:
    """Where compiled machine code is kept: `$K8S_AUDIT_ECS_CACHE_DIR`, else
    `$XDG_CACHE_HOME/k8s-audit-ecs`, else `~/.cache/k8s-audit-ecs`. `None` when
    `K8S_AUDIT_ECS_CACHE_DIR` is set to the empty string (no cache)."""
    explicit = os.environ.get("K8S_AUDIT_ECS_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "k8s-audit-ecs"


def _compile(engine: Engine, wasm: bytes) -> Component:
    """The component, from cached machine code when a file for these exact bytes and this
    wasmtime version exists, else compiled (about 0.7 s) and cached for the next process.
    A cache that cannot be read or written is passed over: the component is compiled."""
    directory = cache_dir()
    if directory is None:
        return Component(engine, wasm)
    key = hashlib.sha256(wasm).hexdigest()[:32]
    path = directory / f"component-{key}-wasmtime-{metadata.version('wasmtime')}.cwasm"
    if path.is_file():
        try:
            return Component.deserialize_file(engine, str(path))
        except Exception:  # stale or damaged: compile again and replace it
            pass
    component = Component(engine, wasm)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: another process never reads half a file.
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as out:
            out.write(component.serialize())
        os.replace(out.name, path)
    except OSError:
        pass
    return component


def load() -> _Loaded:
    """The process's compiled component (compiled or read from the cache on first use)."""
    global _loaded
    with _lock:
        if _loaded is None:
            engine = Engine()
            wasm = resources.files(__package__).joinpath("k8s_audit_ecs.wasm").read_bytes()
            component = _compile(engine, wasm)
            linker = Linker(engine)
            with linker.root() as root:
                with root.add_instance("wasi:random/insecure-seed@0.2.6") as seed:
                    seed.add_func("insecure-seed", lambda _store: _SEED)
            # wasi:cli/* and wasi:io/* are imported by Rust's standard library but never
            # called: a call would trap.
            linker.define_unknown_imports_as_traps(component)
            _loaded = _Loaded(engine, component, linker)
        return _loaded


class Instance:
    """One instance of the component in its own store, with the interface's functions.

    Not thread-safe: give each thread its own (a `Transformer` has one)."""

    def __init__(self) -> None:
        loaded = load()
        self.store = Store(loaded.engine)
        self._instance = loaded.linker.instantiate(self.store, loaded.component)
        self._interface = self._instance.get_export_index(self.store, INTERFACE)
        if self._interface is None:
            raise RuntimeError(f"the component does not export `{INTERFACE}`")

    def func(self, name: str) -> Callable[..., Any]:
        """The exported function `name` of the interface, as a callable that also runs the
        function's post-return (so its results' memory is released)."""
        index = self._instance.get_export_index(self.store, name, self._interface)
        if index is None:
            raise RuntimeError(f"the component does not export `{name}`")
        function = self._instance.get_func(self.store, index)
        store = self.store

        def call(*args: Any) -> Any:
            result = function(store, *args)
            function.post_return(store)
            return result

        return call
