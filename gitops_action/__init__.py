"""gitops-action: GitOps guarantees for push-based Kubernetes delivery."""

__version__ = "0.1.0"

FIELD_MANAGER = "gitops-action"
