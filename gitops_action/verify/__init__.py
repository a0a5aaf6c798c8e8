"""The schedule flow: drift between Git and the cluster (``gitops-action verify``)."""
