"""A real Kubernetes control plane for tests and the demo, built from pinned Go modules.

`python -m tests.cluster build|up|down|status|env|pin`; the pytest plugin is
`tests.cluster.fixtures`. See tests/cluster/README.md.
"""
