"""An on-disk store of computed routes, so a second render does no routing.

Every route is a row of one SQLite file, ``routes.sqlite`` in the cache
directory, keyed by the SHA-256 of its request (stops' coordinates and
countries, mode, allowed countries), the network data, the source of the
routing modules, the package version and the cache format. Any change makes
a new key, so no entry can go stale; a changed coordinate misses only its own
legs. One file read in a few queries replaces tens of thousands of small
files: a warm map of 100,000 legs reads its 60,000 routes in about 2 s, not 15 s.

SQLite gives the rest: each batch of routes is written in one transaction
(write-ahead log), so a process killed at any moment leaves the routes of
the last batch whole or absent, never torn, and processes sharing the cache
wait for each other's writes (up to :data:`LOCK_TIMEOUT_S`). An entry is
read at most :data:`MAX_ENTRY_BYTES` and checked (:mod:`._cache_entry`); a
corrupt or poisoned entry is a miss, logged as a warning, and is computed
again and rewritten. A file that is not a database at all (or is damaged)
is the same: every route is a logged miss, and the next write replaces the
file, under a lock file so that concurrent processes replace it once.
A failure to read or write never stops routing; it is logged.
This module only stores and loads: :class:`~shiproute.routes.router.Router`
decides when to use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
import contextlib
import functools
import hashlib
from importlib.resources import files
import json
import logging
from pathlib import Path
import sqlite3

from shiproute.routes._cache_entry import MAX_ENTRY_BYTES, decode_many, encode
from shiproute.routes.model import Route
from shiproute.routes.routing import RouteRequest
from shiproute.settings import package_version

log = logging.getLogger(__name__)

CACHE_FORMAT = 4
FILE_NAME = "routes.sqlite"
LOCK_TIMEOUT_S = 60.0
"""How long a process waits for another one's write before giving up (logged)."""
_CHUNK = 500
"""Keys looked up in one query (SQLite allows at least 999 parameters)."""
_SCHEMA = "CREATE TABLE IF NOT EXISTS routes (key TEXT PRIMARY KEY, meta BLOB, points BLOB)"
_HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'routes'"
_BOUNDED = "coalesce(substr(CAST({0} AS BLOB), 1, ?), CASE WHEN {0} IS NOT NULL THEN x'' END)"
"""A value as bytes, cut one byte over the limit: enough to refuse it (substr of an
empty blob is NULL, so an empty value is put back)."""
_SELECT = (f"SELECT key, {_BOUNDED.format('meta')}, {_BOUNDED.format('points')} FROM routes "
           "WHERE key IN ({})")
_DATA_FILES = (("shiproute.routes", "data/rail-world.npz"),
               ("shiproute.routes", "data/sea-lanes.npz"),
               ("shiproute.routes", "data/sea-port-links.npz"),
               ("shiproute.gazetteer", "data/naturalearth-10m.npz"))
_CODE_FILES = tuple(("shiproute.routes", name) for name in (
    "routing.py", "sea.py", "lanes.py", "links.py", "waterways.py", "rail.py", "_grid.py",
    "_land.py", "geodesic.py"))
"""The modules that shape a route: editing one (a development install) must not
serve routes the old code drew."""

@functools.cache
def data_version() -> str:
    """Return a hash of the network data (lanes, railways, land), the routing code and its version.

    The sea lanes are the shipped ``sea-lanes.npz``, so the installed
    searoute's version no longer shapes a route.
    """
    digest = hashlib.sha256()
    for package, name in (*_DATA_FILES, *_CODE_FILES):
        digest.update(files(package).joinpath(name).read_bytes())
    digest.update(package_version().encode())
    return digest.hexdigest()[:16]


def _is_damaged(err: sqlite3.Error) -> bool:
    """Whether SQLite says the file is not a database or is corrupt (not busy, not I/O)."""
    return type(err) is sqlite3.DatabaseError


def _reason(err: Exception) -> str:
    if isinstance(err, OSError):
        return err.strerror or str(err)
    return f"{type(err).__name__}: {err}"


class RouteCache:
    """Routes on disk, one SQLite file of entries keyed by request.

    Parameters
    ----------
    directory
        Where the file goes; created on first write.
    version
        Network data version (:func:`data_version`); part of every key.
    """

    def __init__(self, directory: Path, version: str) -> None:
        self.directory = directory
        self.version = version
        self._damaged = False

    def __repr__(self) -> str:
        return f"RouteCache({str(self.directory)!r})"

    @property
    def file(self) -> Path:
        """The SQLite file that holds the entries."""
        return self.directory / FILE_NAME

    def key(self, request: RouteRequest) -> str:
        """Return the key of the entry that holds the route of ``request`` (64 hex digits)."""
        key = {"format": CACHE_FORMAT, "data": self.version, "request": request.key()}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    def get_many(self, requests: Iterable[RouteRequest]) -> dict[RouteRequest, Route]:
        """Return the cached route of each request that has a good entry.

        Misses are left out; a bad entry, or a file that can't be read, is
        logged and left out too.

        Parameters
        ----------
        requests
            Distinct requests.

        Returns
        -------
        dict of RouteRequest to Route
        """
        wanted = {self.key(request): request for request in requests}
        found: dict[RouteRequest, Route] = {}
        if not wanted or not self.file.is_file():
            return found
        try:
            with self._connection() as db:
                if not db.execute(_HAS_TABLE).fetchone():  # a new, still empty file
                    return found
                for rows in self._chunks(db, list(wanted)):
                    decoded = decode_many([(meta, points) for _, meta, points in rows])
                    for (key, _, _), route in zip(rows, decoded, strict=True):
                        if isinstance(route, Route):
                            found[wanted[key]] = route
                        else:
                            log.warning("warning: ignoring bad route cache entry %s in %s (%s); "
                                        "routing the leg again", key[:16], self.file,
                                        _reason(route))
        except sqlite3.Error as err:
            self._damaged = _is_damaged(err)
            log.warning("warning: ignoring unreadable route cache %s (%s); routing its legs "
                        "again", self.file, _reason(err))
        return found

    def put_many(self, routes: Mapping[RouteRequest, Route]) -> None:
        """Store routes in one transaction; a failure to write is logged, not raised.

        Parameters
        ----------
        routes
            The route of each request; an entry already there is replaced.
        """
        if not routes:
            return

        def rows() -> Iterator[tuple[str, bytes, bytes]]:
            return ((self.key(request), *encode(route)) for request, route in routes.items())

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if self._damaged:
                self._replace_damaged()
            try:
                self._insert(rows())
            except sqlite3.DatabaseError as err:
                if not _is_damaged(err):
                    raise
                self._replace_damaged()
                self._insert(rows())
        except (OSError, sqlite3.Error) as err:
            log.warning("warning: can't write route cache %s: %s", self.file, _reason(err))

    @staticmethod
    def _chunks(db: sqlite3.Connection, keys: list[str]
                ) -> Iterator[list[tuple[str, object, object]]]:
        """Yield the rows of ``keys`` found, a few hundred keys at a time."""
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            query = _SELECT.format(", ".join("?" * len(chunk)))
            yield db.execute(query, (MAX_ENTRY_BYTES + 1, MAX_ENTRY_BYTES + 1, *chunk)).fetchall()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.file, timeout=LOCK_TIMEOUT_S, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = NORMAL")  # with the write-ahead log: no torn file
            yield db
        finally:
            db.close()

    def _insert(self, rows: Iterator[tuple[str, bytes, bytes]]) -> None:
        with self._connection() as db:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO routes VALUES (?, ?, ?)", rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _replace_damaged(self) -> None:
        """Remove the cache file if it is still damaged, under a lock: one process does it."""
        from filelock import FileLock

        with FileLock(str(self.directory / f".{FILE_NAME}.lock"), timeout=LOCK_TIMEOUT_S):
            if not self._healthy():  # another process may have replaced it meanwhile
                log.warning("warning: replacing damaged route cache %s", self.file)
                for suffix in ("", "-wal", "-shm"):
                    self.file.with_name(FILE_NAME + suffix).unlink(missing_ok=True)
        self._damaged = False

    def _healthy(self) -> bool:
        try:
            with self._connection() as db:
                return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        except sqlite3.DatabaseError as err:
            if _is_damaged(err):
                return False
            raise
