"""One server-side apply (or dry-run) of one object, and what its errors mean to a person.

- Field ownership conflicts (409 with ``FieldManagerConflict`` causes) are forced when the
  target's ``force-conflicts`` allows, and reported as a warning naming the other managers.
- Other 409s (``the object has been modified``: a controller wrote between the server's read
  and write) are tried again (``core.retry``); the adapter already retries 429 and 5xx.
- Rejections are explained: which field, and for an immutable one, what to do instead.
- The server sometimes echoes the submitted value in its message; for a Secret every value of
  the object is masked out of the message before anyone sees it.
"""

from __future__ import annotations

import base64
import contextlib
import re
from dataclasses import dataclass

from ..config import Target
from ..core.normalize import is_secret
from ..core.retry import RetryPolicy
from ..core.secrets import HIDDEN
from ..errors import ApiError, Conflict, Invalid, NotFound
from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster

CONFLICT_RETRIES = 5
_MIN_MASKED = 3  # shorter values would mangle every message; they carry no real secret
_ECHOED = re.compile(r'(Invalid value: )("(?:[^"\\]|\\.)*"|\S+)')


@dataclass(frozen=True)
class Written:
    """The server's answer, and notes on fields taken from other managers."""

    obj: KubeObject
    warnings: tuple[str, ...] = ()


CONFLICT_RETRY = RetryPolicy(attempts=CONFLICT_RETRIES + 1, base=0.2, cap=3.0, max_wait=10.0)
"""A 409 that is not about field owners: a controller wrote between the server's read and its
write. Server-side apply has no resourceVersion to go stale, so sending it again is right."""


def apply_one(
    cluster: Cluster,
    target: Target,
    obj: KubeObject,
    resource: ApiResource,
    *,
    dry_run: bool,
    force: bool = False,
    retry: RetryPolicy = CONFLICT_RETRY,
) -> Written:
    """Apply ``obj``; raise ``ApiError`` with an explained, masked message on rejection."""
    warnings: list[str] = []
    forced = force

    def attempt() -> KubeObject:
        return cluster.apply(obj, resource, dry_run=dry_run, force=forced)

    def stale(err: Exception) -> bool:
        return isinstance(err, Conflict) and not err.field_owners

    try:
        return Written(retry.run(attempt, stale), tuple(warnings))
    except Conflict as err:
        if not err.field_owners or forced:
            raise rejected(obj, err) from None
        owners = "; ".join(conflicts(err))
        if not target.force_conflicts:
            raise rejected(
                obj,
                err,
                f"{err}: fields owned by other managers ({owners}); force-conflicts "
                f"is off for target {target.name}: set it to true to take them over, "
                "or stop setting these fields in Git",
            ) from None
        warnings.append(f"fields taken over from other managers: {owners}")
        forced = True
    except ApiError as err:
        raise rejected(obj, err) from None
    try:
        return Written(retry.run(attempt, stale), tuple(warnings))
    except ApiError as err:
        raise rejected(obj, err) from None


def conflicts(err: ApiError) -> list[str]:
    """``.spec.replicas from "hpa-controller"`` for each field another manager holds."""
    out = []
    for cause in err.causes:
        message = str(cause.get("message", ""))
        manager = message.split('"')[1] if message.count('"') >= 2 else message
        out.append(f'{cause.get("field", "?")} from "{manager}"')
    return sorted(set(out))


def rejected(obj: KubeObject, err: ApiError, message: str = "") -> ApiError:
    """``err`` with a message that says what was wrong and what to do, values masked."""
    text = message or explain(ResourceKey.of(obj), err)
    return err.with_message(mask_message(text, obj))


def explain(key: ResourceKey, err: ApiError) -> str:
    text = str(err)
    if isinstance(err, Invalid) and "immutable" in text:
        fields = err.immutable_fields
        named = f" ({', '.join(fields)})" if fields else ""
        return (
            f"{text}. The field{named} cannot change once the object exists: delete {key} "
            "and apply again to re-create it (its pods or data go with it), or give it a new "
            "name in Git"
        )
    if isinstance(err, NotFound) and err.namespace_missing:
        return f"{text}: create the namespace, or add a Namespace object to this target"
    return text


def mask_message(message: str, obj: KubeObject) -> str:
    """A server message with every value of a Secret masked (plain and base64 forms)."""
    if not is_secret(obj):
        return message
    values: set[str] = set()
    for raw in (obj.get("data") or {}).values():
        values.add(str(raw))
        with contextlib.suppress(ValueError):  # not base64 (UnicodeDecodeError is one too)
            values.add(base64.b64decode(str(raw), validate=True).decode())
    for raw in (obj.get("stringData") or {}).values():
        values.add(str(raw))
        values.add(base64.b64encode(str(raw).encode()).decode())
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= _MIN_MASKED:
            message = message.replace(value, HIDDEN)
    # What the server echoes after "Invalid value:" may be a value in another encoding.
    return _ECHOED.sub(lambda m: m.group(1) + HIDDEN, message)
