"""The pull request flow: what a merge would change, offline or against the cluster."""
