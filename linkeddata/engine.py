"""The SPARQL engine, run in a small pool of separate processes so nothing it does can harm the web process.

Oxigraph evaluates queries in native code: a query that overflows its stack, exhausts memory or runs on
forever (it cannot be cancelled) would take the whole web worker with it. Here each query runs in an
engine process (started with ``spawn``, safe beside the web server's threads) that:

- opens a read-only snapshot of the store (``linkeddata.store.query_snapshot``), never the live store;
- has no network: it moves into its own empty network namespace (``unshare``) or, where the kernel does
  not allow that, a seccomp filter refuses it internet sockets, so ``SERVICE`` can reach nothing;
- has an address-space ceiling (``RLIMIT_AS``): a query that needs more fails, and only it;
- counts SELECT rows and CONSTRUCT/DESCRIBE triples as the engine produces them, stopping at the cap,
  and refuses any single value over the value cap.

The web process waits for the answer up to the time limit, then kills the engine process; a process that
dies (killed, crashed or out of memory) is replaced by a fresh one at the next query. Only this module's
child side runs in the engine processes: it imports no Django.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import resource
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

START_SECONDS = 30  # an engine process that is not ready by then is given up
# What an engine process's last words say when it met its address-space ceiling: an allocation
# refused, or a thread (RocksDB's, Rust's) that could not be given its stack.
MEMORY_DEATHS = ("memory allocation", "MemoryError", "Resource temporarily unavailable")
Term = tuple[str, str, str | None, str | None]  # (kind u/b/l, value, datatype, language)


@dataclass(frozen=True)
class Formats:
    """The media type to answer in for each kind of query (None: the client accepts none offered)."""

    select: str | None
    boolean: str | None
    graph: str | None


@dataclass(frozen=True)
class Caps:
    max_rows: int
    max_value_bytes: int
    max_answer_bytes: int


@dataclass(frozen=True)
class EngineRequest:
    store: str | None  # a read-only store directory; None: an empty store (nothing published yet)
    text: str
    max_rows: int
    max_value_bytes: int
    max_answer_bytes: int
    formats: Formats | None = (
        None  # the answer serialised by the engine itself; None: rows of terms
    )
    default_graphs: tuple[str, ...] | None = (
        None  # the protocol's dataset; None for both: the query's
    )
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True  # with no dataset given: the default graph is the union of all
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint)
    prefixes: tuple[tuple[str, str], ...] = ()  # for Turtle and RDF/XML answers

    @property
    def caps(self) -> Caps:
        return Caps(self.max_rows, self.max_value_bytes, self.max_answer_bytes)


@dataclass(frozen=True)
class EngineAnswer:
    kind: str  # SELECT, ASK, CONSTRUCT (which covers DESCRIBE)
    variables: list[str]
    rows: list[list[Term | None]]  # SELECT rows (in ``variables`` order) or CONSTRUCT triples
    boolean: bool = False
    media_type: str = ""  # with ``body``: the answer as the client asked for it
    body: bytes = b""


class EngineFailure(Exception):
    """The engine refused or could not answer; ``status`` is the HTTP status to give the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------------------------------------------
# Child side: runs in the engine process.

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _unshare_network() -> bool:
    """Move this (single-threaded) process into a new user and network namespace: no interface but a down
    loopback, so every connection fails."""
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "unshare"):
        return False
    return libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0


_SECCOMP_ARCHES = {  # machine -> (AUDIT_ARCH_*, number of the socket system call)
    "x86_64": (0xC000003E, 41),
    "aarch64": (0xC00000B7, 198),
}


def _seccomp_deny_sockets() -> bool:
    """Install a seccomp filter that fails ``socket()`` for every family but AF_UNIX with EACCES."""
    arch = _SECCOMP_ARCHES.get(os.uname().machine)
    if arch is None:
        return False
    audit_arch, socket_nr = arch
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    program = [
        (ld_w_abs, 0, 0, 4),  # seccomp_data.arch
        (jeq_k, 1, 0, audit_arch),
        (
            ret_k,
            0,
            0,
            allow,
        ),  # another ABI: left alone (the namespace or the SERVICE check still apply)
        (ld_w_abs, 0, 0, 0),  # seccomp_data.nr
        (jeq_k, 0, 3, socket_nr),
        (ld_w_abs, 0, 0, 16),  # seccomp_data.args[0] (low 32 bits): the address family
        (jeq_k, 1, 0, 1),  # AF_UNIX
        (ret_k, 0, 0, deny),
        (ret_k, 0, 0, allow),
    ]
    filters = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxQ", len(program), ctypes.addressof(buffer))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(pr_set_seccomp, seccomp_mode_filter, fprog_buffer, 0, 0) == 0


def deny_network() -> str:
    """Cut this process off the network; returns how ("namespace", "seccomp") or "none"."""
    try:
        if _unshare_network():
            return "namespace"
    except OSError:
        pass
    try:
        if _seccomp_deny_sockets():
            return "seccomp"
    except OSError:
        pass
    return "none"


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, memory_mb: int) -> None:
    """The engine process: answer requests from ``conn`` one at a time until the web process goes away."""
    isolation = deny_network()  # first, while the process has one thread (unshare requires it)
    _limit_memory(memory_mb)
    _exit_with_parent()
    import pyoxigraph as ox

    conn.send(("ready", isolation))
    stores: dict[str | None, Any] = {}
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("answer", _answer(ox, stores, request))
        except EngineFailure as exc:
            reply = ("failure", (exc.status, exc.message))
        except MemoryError:
            reply = ("failure", (500, "memory"))
        del request
        conn.send(reply)


def _exit_with_parent() -> None:
    """Stop this process when the web process is gone, even in the middle of a query."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _open(ox: Any, stores: dict[str | None, Any], path: str | None) -> Any:
    store = stores.get(path)
    if store is None:
        stores.clear()  # a new snapshot: the previous one is closed
        store = ox.Store() if path is None else ox.Store.read_only(path)
        stores[path] = store
    return store


def _answer(ox: Any, stores: dict[str | None, Any], request: EngineRequest) -> EngineAnswer:
    try:
        store = _open(ox, stores, request.store)
    except OSError as exc:
        raise EngineFailure(503, f"The store could not be opened: {exc}") from None
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs is not None or request.named_graphs is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
    else:
        options["use_default_graph_as_union"] = request.union_default_graph
    try:
        result = store.query(request.text, **options)
    except SyntaxError as exc:
        raise EngineFailure(400, f"The query is not valid SPARQL: {exc}") from None
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise EngineFailure(400, f"The query could not be evaluated: {exc}") from None
    if request.formats is not None:
        try:
            return serialize_results(
                ox, result, request.formats, request.caps, dict(request.prefixes)
            )
        except (OSError, RuntimeError, ValueError) as exc:  # an error met while evaluating
            raise EngineFailure(400, f"The query could not be evaluated: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return EngineAnswer("ASK", [], [], boolean=bool(result))
    budget = _Budget(request.max_value_bytes, request.max_answer_bytes)
    rows: list[list[Term | None]] = []
    try:
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            for solution in result:
                if len(rows) == request.max_rows:
                    raise EngineFailure(
                        413,
                        f"The query returns more than {request.max_rows} rows, the endpoint's limit. "
                        "Add a LIMIT, or use the bulk downloads.",
                    )
                rows.append(
                    [
                        None if solution[i] is None else budget.term(ox, solution[i])
                        for i in range(len(variables))
                    ]
                )
            return EngineAnswer("SELECT", variables, rows)
        for triple in result:  # CONSTRUCT or DESCRIBE: counted as produced, never collected first
            if len(rows) == request.max_rows:
                raise EngineFailure(
                    413,
                    f"The query returns more than {request.max_rows} triples, the endpoint's limit. "
                    "Narrow it, or use the bulk downloads.",
                )
            rows.append(
                [
                    budget.term(ox, triple.subject),
                    budget.term(ox, triple.predicate),
                    budget.term(ox, triple.object),
                ]
            )
        return EngineAnswer("CONSTRUCT", ["subject", "predicate", "object"], rows)
    except (OSError, RuntimeError, ValueError) as exc:  # an error met while evaluating
        raise EngineFailure(400, f"The query could not be evaluated: {exc}") from None


RESULTS_FORMATS = {  # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
BOOLEAN_FORMATS = ["application/sparql-results+json", "application/sparql-results+xml"]
GRAPH_FORMATS = {  # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
}


class _Overflow(Exception):
    pass


class _CappedWriter:
    """Collects what a serialiser writes, stopping it past ``max_bytes`` or ``max_lines`` lines."""

    def __init__(self, max_bytes: int, max_lines: int) -> None:
        self.max_bytes = max_bytes
        self.max_lines = max_lines
        self.parts: list[bytes] = []
        self.size = 0
        self.lines = 0

    def write(self, chunk: bytes) -> int:
        data = bytes(chunk)
        self.size += len(data)
        self.lines += data.count(b"\n")
        if self.size > self.max_bytes:
            raise _Overflow("bytes")
        if self.lines > self.max_lines:
            raise _Overflow("rows")
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


def _too_many(caps: Caps, what: str) -> EngineFailure:
    hint = "Add a LIMIT" if what == "rows" else "Narrow it"
    return EngineFailure(
        413,
        f"The query returns more than {caps.max_rows} {what}, the endpoint's limit. "
        f"{hint}, or use the bulk downloads.",
    )


def _too_large(caps: Caps) -> EngineFailure:
    return EngineFailure(
        413,
        f"The answer is larger than {caps.max_answer_bytes} bytes, this endpoint's limit "
        "(SPARQL_MAX_ANSWER_BYTES). Add a LIMIT, or use the bulk downloads.",
    )


def _not_offered(kind: str, offered: list[str]) -> EngineFailure:
    return EngineFailure(
        406,
        f"None of the formats you accept is offered for {kind} results. Offered: "
        + ", ".join(offered),
    )


def serialize_results(
    ox: Any, result: Any, formats: Formats, caps: Caps, prefixes: dict[str, str]
) -> EngineAnswer:
    """A query's answer serialised by pyoxigraph in the format asked for, within the caps.

    SELECT rows are written once as SPARQL TSV (one line per row, values escaped) into a writer that
    stops the engine past the row or byte cap, so rows are counted and measured without becoming
    Python objects; the TSV is then the answer, or is re-read and written in the format asked for.
    CONSTRUCT triples are counted and measured one by one, then written by pyoxigraph. Used on the
    engine's answers and on an external server's alike (``result`` from ``parse_query_results``).
    """
    if isinstance(result, ox.QueryBoolean):
        if formats.boolean is None:
            raise _not_offered("ASK", BOOLEAN_FORMATS)
        fmt = getattr(ox.QueryResultsFormat, RESULTS_FORMATS[formats.boolean])
        body = result.serialize(format=fmt)
        return EngineAnswer("ASK", [], [], bool(result), formats.boolean, body)
    if isinstance(result, ox.QuerySolutions):
        writer = _CappedWriter(caps.max_answer_bytes, caps.max_rows + 1)  # + the header line
        try:
            result.serialize(writer, format=ox.QueryResultsFormat.TSV)
        except _Overflow as overflow:
            raise (
                _too_many(caps, "rows") if str(overflow) == "rows" else _too_large(caps)
            ) from None
        tsv = writer.value()
        _check_values(ox, tsv, caps)
        variables = [v.lstrip("?") for v in tsv.split(b"\n", 1)[0].decode().split("\t") if v]
        if (
            formats.select is None
        ):  # the caps first: an answer too large is that, whatever its format
            raise _not_offered("SELECT", list(RESULTS_FORMATS))
        if formats.select == "text/tab-separated-values":
            body = tsv
        else:
            fmt = getattr(ox.QueryResultsFormat, RESULTS_FORMATS[formats.select])
            body = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt)
        return EngineAnswer("SELECT", variables, [], False, formats.select, body)
    budget = _Budget(caps.max_value_bytes, caps.max_answer_bytes)
    triples: list[Any] = []
    for triple in result:  # counted as produced, never collected first
        if len(triples) == caps.max_rows:
            raise _too_many(caps, "triples")
        budget.term(ox, triple.subject)
        budget.term(ox, triple.predicate)
        budget.term(ox, triple.object)
        triples.append(triple)
    if formats.graph is None:
        raise _not_offered("CONSTRUCT and DESCRIBE", list(GRAPH_FORMATS))
    fmt = getattr(ox.RdfFormat, GRAPH_FORMATS[formats.graph])
    body = ox.serialize(triples, format=fmt, prefixes=prefixes or None)
    return EngineAnswer("CONSTRUCT", [], [], False, formats.graph, body)


def _check_values(ox: Any, tsv: bytes, caps: Caps) -> None:
    """The value cap on TSV rows: a field no longer than the cap holds no longer value; only when one is
    longer (its quotes and datatype count) are the values read one by one."""
    longest = max(map(len, tsv.replace(b"\n", b"\t").split(b"\t")), default=0)
    if longest <= caps.max_value_bytes:
        return
    budget = _Budget(caps.max_value_bytes, caps.max_answer_bytes * 2)
    for solution in ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV):
        for term in solution:
            if term is not None:
                budget.term(ox, term)


class _Budget:
    """The value cap and the answer's total size, checked term by term."""

    def __init__(self, max_value: int, max_total: int) -> None:
        self.max_value = max_value
        self.max_total = max_total
        self.total = 0

    def term(self, ox: Any, term: Any) -> Term:
        if isinstance(term, ox.NamedNode):
            kind, value, datatype, language = "u", term.value, None, None
        elif isinstance(term, ox.BlankNode):
            kind, value, datatype, language = "b", term.value, None, None
        elif isinstance(term, ox.Literal):
            kind, value, datatype, language = "l", term.value, term.datatype.value, term.language
        else:  # an RDF 1.2 triple term: given as its N-Triples text
            kind, value, datatype, language = "l", str(term), None, None
        size = len(value.encode("utf-8", errors="replace"))
        if size > self.max_value:
            raise EngineFailure(
                413,
                f"A value in the answer is {size} bytes long; this endpoint's limit for one value is "
                f"{self.max_value} bytes (SPARQL_MAX_VALUE_BYTES). Aggregate less (GROUP_CONCAT) or use "
                "the bulk downloads.",
            )
        self.total += size
        if self.total > self.max_total:
            raise EngineFailure(
                413,
                f"The answer is larger than {self.max_total} bytes, this endpoint's limit "
                "(SPARQL_MAX_ANSWER_BYTES). Add a LIMIT, or use the bulk downloads.",
            )
        return (kind, value, datatype, language)


# ---------------------------------------------------------------------------------------------------
# Web process side: the pool.


class _Engine:
    """One engine process and the web process's end of its pipe.

    Started as a fresh interpreter (``python -m linkeddata.engine``: fork and exec, safe in a threaded
    web process, and without importing the web process's main module), with its stderr in a log file so
    that a native crash message can be reported.
    """

    def __init__(self, memory_mb: int) -> None:
        log_fd, self.log_path = tempfile.mkstemp(prefix="sparql-engine-", suffix=".log")
        ours, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "RUST_BACKTRACE": "0",  # a crash message, not a slow backtrace
            # glibc reserves 64 MB of address space per thread's arena: with the store's threads that
            # is ~600 MB of the ceiling reserved and unused (~280 MB with two), and a thread that
            # cannot be started then kills the engine; the ceiling should count what queries use.
            "MALLOC_ARENA_MAX": "2",
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "linkeddata.engine", str(theirs.fileno()), str(memory_mb)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=log_fd,
                env=env,
                cwd=root,
            )
        finally:
            os.close(log_fd)
            theirs.close()
        self.conn = Connection(ours.detach())
        if not self.conn.poll(START_SECONDS):
            self.close()
            raise EngineFailure(503, "The query engine could not be started; try again shortly.")
        try:
            _, self.isolation = self.conn.recv()
        except (EOFError, OSError):
            self.process.wait(timeout=5)
            detail = self.crash_note()
            self.close()
            raise EngineFailure(503, f"The query engine could not be started: {detail}") from None

    def alive(self) -> bool:
        return self.process.poll() is None

    def crash_note(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(log.tell() - 2000, 0))
                return log.read().decode("utf-8", errors="replace").strip()
        except OSError:
            return ""

    def close(self) -> None:
        if self.alive():
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)


class EnginePool:
    """A fixed number of engine slots; processes are started on first use and replaced when they die."""

    def __init__(self, size: int, memory_mb: int) -> None:
        self.size = size
        self.memory_mb = memory_mb
        self.pid = os.getpid()
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Engine] = []
        self._lock = threading.Lock()
        self._warned = False
        self._closed = False

    def run(self, request: EngineRequest, timeout: float) -> EngineAnswer:
        """Answer ``request`` in an engine process within ``timeout`` seconds, or raise EngineFailure."""
        if not self._slots.acquire(blocking=False):
            raise EngineFailure(
                503, "The endpoint is busy with other queries; try again in a few seconds."
            )
        try:
            engine = self._take()
            reusable = False  # killed unless it answered (or refused) and is in a sound state
            try:
                kind, payload = self._ask(engine, request, timeout)
                reusable = not (kind == "failure" and payload[1] == "memory")
            finally:
                if reusable:
                    with self._lock:
                        self._idle.append(engine)
                else:
                    engine.close()
                    threading.Thread(
                        target=self._replace, name="sparql-engine-start", daemon=True
                    ).start()
        finally:
            self._slots.release()
        if kind == "failure":
            status, message = payload
            if message == "memory":
                raise EngineFailure(500, self._memory_message())
            raise EngineFailure(status, message)
        return payload

    def _replace(self) -> None:
        """Start a fresh engine process in place of one that was stopped, so the next query need not wait."""
        try:
            engine = _Engine(self.memory_mb)
        except EngineFailure:
            return  # the next query starts one, and reports why if it cannot
        with self._lock:
            if not self._closed and len(self._idle) < self.size and self.pid == os.getpid():
                self._idle.append(engine)
                return
        engine.close()

    def _take(self) -> _Engine:
        with self._lock:
            while self._idle:
                engine = self._idle.pop()
                if engine.alive():
                    return engine
                engine.close()
        engine = _Engine(self.memory_mb)
        if engine.isolation == "none" and not self._warned:
            self._warned = True
            logger.warning(
                "the SPARQL engine processes could not be cut off the network (no user namespaces, no "
                "seccomp); SERVICE is still refused by the query check"
            )
        return engine

    def _ask(self, engine: _Engine, request: EngineRequest, timeout: float) -> tuple[str, Any]:
        """The engine's reply: ("answer", EngineAnswer) or ("failure", (status, message))."""
        try:
            engine.conn.send(request)
            if not engine.conn.poll(timeout):  # the caller names the limit; the process is killed
                raise EngineFailure(503, "time limit")
            reply: tuple[str, Any] = engine.conn.recv()
        except (EOFError, OSError):
            with contextlib.suppress(subprocess.TimeoutExpired):
                engine.process.wait(timeout=5)
            raise self._death(engine) from None
        return reply

    def _memory_message(self) -> str:
        return (
            f"The query needed more memory than the engine's limit of {self.memory_mb} MB "
            "(SPARQL_ENGINE_MEMORY_MB) and was stopped. Narrow it, or add a LIMIT."
        )

    def _death(self, engine: _Engine) -> EngineFailure:
        note = engine.crash_note()
        code = engine.process.returncode
        logger.warning("a SPARQL engine process died (exit code %s): %s", code, note[-500:])
        if any(sign in note for sign in MEMORY_DEATHS):
            return EngineFailure(500, self._memory_message())
        if "overflowed its stack" in note:
            return EngineFailure(
                500,
                "The query is too deeply nested for the engine, which stopped on it. Simplify it.",
            )
        return EngineFailure(
            500,
            f"The query engine stopped while answering this query (exit code {code}); "
            "only this query was affected. Simplify it, or try again.",
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for engine in idle:
            engine.close()


_pool: EnginePool | None = None
_pool_lock = threading.Lock()


def pool(size: int, memory_mb: int) -> EnginePool:
    """This process's engine pool (a new one after a fork, or when the settings change)."""
    global _pool
    with _pool_lock:
        current = _pool
        if (
            current is None
            or current.pid != os.getpid()
            or (current.size, current.memory_mb) != (size, memory_mb)
        ):
            if current is not None and current.pid == os.getpid():
                current.close()
            _pool = current = EnginePool(size, memory_mb)
        return current


def shutdown() -> None:
    """Stop this process's idle engine processes (tests; they also stop when the web process exits)."""
    global _pool
    with _pool_lock:
        if _pool is not None and _pool.pid == os.getpid():
            _pool.close()
        _pool = None


atexit.register(shutdown)

if __name__ == "__main__":  # an engine process: python -m linkeddata.engine FD MEMORY_MB
    # The module by its own name (not __main__), so that its answers unpickle in the web process.
    from linkeddata import engine

    engine._serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
