"""Benchmarks of gitops-action, side by side with kubectl on the same control plane.

``python -m bench [--only NAME] [--n 1000] [--repeat 3]``; see ``bench/README.md`` for what each
benchmark does, the latest figures and the command that produced them. Benchmarks are never
part of the test suite: no timed assertions there.
"""
