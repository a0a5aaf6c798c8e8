"""The render tests' ``helm`` fixture (the real helm, or a skip on a laptop without it)."""

from tests.render.conftest import helm

__all__ = ["helm"]
