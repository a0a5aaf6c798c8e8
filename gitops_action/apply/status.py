"""What an apply did to each object: the ``status`` of its row in the reports.

The row's ``action`` is what the assessment found to do; ``status`` is what this run then did
(or not), object by object:

- ``applied``: written, and the server answered (or the object, read back, holds what we sent);
- ``not applied``: to be written and not written: the server rejected it (the row's ``error``
  says so), the apply stopped before it, or the target was not written at all;
- ``unknown``: sent, but the connection broke before the answer and the object could not be
  read back (the server was still away): the next apply reads it and converges;
- ``unchanged``: nothing to write, the cluster already holds what Git says;
- ``pruned``: a member that left Git, deleted (or being deleted);
- ``kept``: a member that left Git and is still there (its warning says why: prune off,
  protected, refused, rejected, or the prune did not run).

Rows of ``plan`` and of ``apply --dry-run`` have no status: nothing was written.
"""

from __future__ import annotations

from typing import Final

APPLIED: Final = "applied"
NOT_APPLIED: Final = "not applied"
UNKNOWN: Final = "unknown"
UNCHANGED: Final = "unchanged"
PRUNED: Final = "pruned"
KEPT: Final = "kept"
