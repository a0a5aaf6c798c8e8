"""``validate``: structure, names, schemas and duplicates of rendered manifests, offline."""
