"""Tests for gitops-action; `tests.cluster` also runs the local Kubernetes control plane."""
