"""Pure building blocks shared by every flow: YAML, kinds, normalization, Secrets, diffs."""
