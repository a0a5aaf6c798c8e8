# Shared pytest configuration. The cluster fixtures (control_plane, kubeconfig, kube_api,
# namespace) come from the plugin below; see tests/cluster/README.md. The `github` fixture (a
# fake GitHub REST API checked against GitHub's OpenAPI description) is in tests/ghfake.
pytest_plugins = [
    "tests.support",
    "tests.cluster.fixtures",
    "tests.ghfake.fixtures",
    "tests.site",
]
