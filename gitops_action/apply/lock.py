"""One writer per target: hold the target's lease (``cluster.lease``) while applying it.

``prepare`` takes the lease before it reads the inventory, so the stale-run guard, the
assessment, the writes, the prune and the final record all see a target that no other apply
changes meanwhile. A run that has to wait therefore checks and assesses only once it holds the
lease, on what the other run left: a stale run is then refused by the guard, a newer one
applies over a fresh assessment. When the inventory's namespace does not exist yet (the first
apply creates it), there is nowhere to put the lease: ``execute`` takes it right after writing
that Namespace, and the parent's creation (compare and swap) refuses a second first apply.

While held, a background thread renews the lease every ``Terms.renew`` seconds; ``check``
says to stop once renewals failed for ``duration - renew`` seconds (the lease could expire and
another run take it) or another run took it over. A run killed mid-apply leaves its lease to
expire ``duration`` seconds after its last renewal. All leases of one apply are taken in the
order of their target names (two runs never wait for each other crosswise) and released
together (``Locks``); after one refusal the other targets do not wait again.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

from ..cluster import lease
from ..cluster.lease import TERMS, Holder, Terms
from ..config import Target
from ..errors import ClusterError, Conflict, NotFound
from ..models import KubeObject
from ..ports import Cluster


def here(revision: str, run_url: str) -> Holder:
    """This process as a lease holder."""
    return Holder(revision, run_url, socket.gethostname(), os.getpid())


class Locks:
    """The leases of one apply's targets: taken one by one, released together."""

    def __init__(
        self,
        holder: Holder,
        terms: Terms = TERMS,
        notify: Callable[[str], None] = lambda _message: None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.holder, self.terms, self.notify = holder, terms, notify
        self.clock, self.sleep = clock, sleep
        self.locks: list[Lock] = []
        self.refused = False

    def lock(self, cluster: Cluster, target: Target) -> Lock:
        taken = Lock(self, cluster, target)
        self.locks.append(taken)
        return taken

    def release(self) -> None:
        for taken in self.locks:
            taken.release()

    def __enter__(self) -> Locks:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class Lock:
    """One target's lease, for one apply."""

    def __init__(self, group: Locks, cluster: Cluster, target: Target) -> None:
        self.group, self.cluster, self.target = group, cluster, target.name
        self.namespace = target.namespace or cluster.default_namespace
        self.where = f"Lease {self.namespace}/{lease.lease_name(target.name)}"
        self.missing_namespace = False
        """The namespace does not exist yet: ``take`` again once it does."""
        self._lease: KubeObject | None = None
        self._renewed = 0.0
        self._lost = ""
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def held(self) -> bool:
        return self._lease is not None

    def take(self, timeout: float) -> str:
        """Hold the lease, waiting up to ``timeout`` seconds while another run holds it;
        ``""``, or why not in one line. ``""`` with ``missing_namespace`` set when the
        namespace does not exist yet."""
        if self._lease is not None:
            return ""
        group = self.group
        clock, terms = group.clock, group.terms
        started = clock()
        deadline = started + (0.0 if group.refused else timeout)
        seen: tuple[str, float] = ("", 0.0)  # a version of the lease, and when first seen
        told = False
        self.missing_namespace = False
        while True:
            try:
                live = lease.read(self.cluster, self.namespace, self.target)
                version = str(((live or {}).get("metadata") or {}).get("resourceVersion", ""))
                if version != seen[0]:
                    seen = (version, clock())
                # Unchanged for a whole duration by our own clock: expired, whatever the
                # clocks say.
                still = live is not None and clock() - seen[1] > _duration(live)
                if live is None or still or lease.free(live, group.holder, lease.now()):
                    sent = clock()
                    taken = lease.claim(
                        self.cluster, self.namespace, self.target, group.holder, terms, live
                    )
                    self._hold(taken, sent)
                    return ""
            except NotFound as err:
                if err.namespace_missing:
                    self.missing_namespace = True
                    return ""
                live = None  # released between our read and our write: look again
            except Conflict:
                live = None  # another run claimed it between our read and our write
            except ClusterError as err:  # unreachable, or forbidden (the adapter names RBAC)
                group.refused = True
                return f"target {self.target}: cannot take its {self.where}: {err}"
            if clock() >= deadline:
                group.refused = True
                return self._refusal(live, clock() - started)
            if live is not None and not told:
                group.notify(
                    f"target {self.target}: waiting up to {timeout:g} s for its {self.where}, "
                    f"held by another apply ({lease.describe(live)})"
                )
                told = True
            group.sleep(max(min(terms.poll, deadline - clock()), 0.0))

    def _refusal(self, live: KubeObject | None, waited: float) -> str:
        holder = f" ({lease.describe(live)})" if live is not None else ""
        expires = _duration(live) if live is not None else self.group.terms.duration
        return (
            f"target {self.target}: another apply holds its {self.where}{holder}; waited "
            f"{waited:.0f} s. Nothing was written to this target. Run again once that apply "
            f"is done; if it was killed, its lease expires {expires:g} s after its last renewal"
        )

    def _hold(self, taken: KubeObject, sent: float) -> None:
        with self._mutex:
            self._lease, self._renewed, self._lost = taken, sent, ""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._renewing, name=f"lease-{self.target}", daemon=True
        )
        self._thread.start()

    def _renewing(self) -> None:
        clock = self.group.clock
        while not self._stop.wait(self.group.terms.renew):
            with self._mutex:
                current = self._lease
            if current is None:
                return
            sent = clock()
            try:
                fresh = lease.renew(self.cluster, current)
            except (Conflict, NotFound):
                with self._mutex:
                    self._lost = "another apply took it over"
                return
            except ClusterError:
                continue  # unreachable for now: ``check`` says when it is too late
            with self._mutex:
                self._lease, self._renewed = fresh, sent

    def check(self) -> str:
        """``""`` while this run may write (or holds no lease to keep); else why to stop."""
        with self._mutex:
            current, lost, renewed = self._lease, self._lost, self._renewed
        if current is None:
            return ""
        stop = "stopped, so that two applies never write to it at once"
        if lost:
            return f"target {self.target}: lost its {self.where}: {lost}; {stop}"
        terms = self.group.terms
        age = self.group.clock() - renewed
        if age > terms.duration - terms.renew:
            return (
                f"target {self.target}: could not renew its {self.where} for {age:.0f} s "
                f"(it lasts {terms.duration} s); {stop}"
            )
        return ""

    def release(self) -> None:
        """Stop renewing and delete the lease (only as we last wrote it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._mutex:
            current, lost, self._lease = self._lease, self._lost, None
        if current is None or lost:
            return
        try:
            lease.release(self.cluster, current)
        except (Conflict, NotFound):
            pass  # another run took it over after it expired: it is theirs now
        except ClusterError as err:
            self.group.notify(
                f"target {self.target}: could not release its {self.where} ({err}); it "
                f"expires by itself within {self.group.terms.duration} s"
            )


def _duration(live: KubeObject) -> float:
    return float((live.get("spec") or {}).get("leaseDurationSeconds") or 0)
