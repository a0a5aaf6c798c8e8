"""Manifests from YAML text, as the plain renderer makes them, for the validation tests."""

from __future__ import annotations

from gitops_action.config import Target
from gitops_action.core.yamlio import load_documents
from gitops_action.models import Manifest, Source
from gitops_action.validate.checks import check_target

STAGING = Target(name="staging", path="deploy")


def manifests(text: str, path: str = "deploy/web.yaml") -> list[Manifest]:
    return [
        Manifest(doc.data, Source(path, doc.line, doc.column), doc.positions)
        for doc in load_documents(text, path)
    ]


def check(text: str, path: str = "deploy/web.yaml", target: Target = STAGING) -> list[str]:
    """Every finding of one file's objects, as the text report words them."""
    return [str(f) for f in check_target(target, manifests(text, path))]
