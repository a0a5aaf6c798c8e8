"""The merge flow: ordered, pruned, health-checked server-side apply."""
