"""Adapters: the only modules that do I/O (git, Kubernetes, GitHub, the Actions runtime)."""
