"""The command line of each component, and the fake node kwok runs.

Flags follow what envtest (controller-runtime) and `kwokctl --runtime binary` use, adjusted for
a cluster that several test sessions may run side by side on one machine: every listener is on
127.0.0.1 at a port chosen per cluster, and nothing else listens at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cluster.pins import Install
from tests.cluster.pki import Pki

# Start order; stopped in reverse.
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
NODE_NAME = "kwok-node-0"
SERVICE_CIDR = "10.0.0.0/24"


def component_kubeconfig(directory: Path, name: str) -> Path:
    """The kubeconfig of a client component ("controller-manager", "scheduler", "kwok")."""
    return directory / "kubeconfigs" / f"{name}.kubeconfig"


def command_lines(
    directory: Path, ports: dict[str, int], install: Install, pki: Pki
) -> dict[str, list[str]]:
    """argv for each component of the cluster in `directory`."""
    etcd_url = f"http://127.0.0.1:{ports['etcd']}"
    peer_url = f"http://127.0.0.1:{ports['etcd-peer']}"
    return {
        "etcd": [
            str(install.binary("etcd")),
            "--name=default",
            f"--data-dir={directory / 'etcd'}",
            f"--listen-client-urls={etcd_url}",
            f"--advertise-client-urls={etcd_url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=default={peer_url}",
            # A throwaway cluster: durability buys nothing and costs every write a fsync.
            "--unsafe-no-fsync",
            "--auto-compaction-retention=1",
            "--quota-backend-bytes=8589934592",
        ],
        "kube-apiserver": [
            str(install.binary("kube-apiserver")),
            f"--etcd-servers={etcd_url}",
            f"--cert-dir={pki.directory}",
            f"--tls-cert-file={pki.server_cert}",
            f"--tls-private-key-file={pki.server_key}",
            f"--client-ca-file={pki.ca_cert}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={ports['kube-apiserver']}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={pki.service_account_pub}",
            f"--service-account-signing-key-file={pki.service_account_key}",
            f"--token-auth-file={pki.token_file}",
            "--authorization-mode=Node,RBAC",
            # No kubelet or kube-proxy serves the `kubernetes` Service; keep it endpoint-less
            # rather than advertising 127.0.0.1 to a cluster network that does not exist.
            "--endpoint-reconciler-type=none",
            "--allow-privileged=true",
            # Close open watches on SIGTERM instead of letting them hold the shutdown for the
            # full 60 s request timeout (every controller keeps some open).
            "--shutdown-watch-termination-grace-period=2s",
        ],
        "kube-controller-manager": [
            str(install.binary("kube-controller-manager")),
            f"--kubeconfig={component_kubeconfig(directory, 'controller-manager')}",
            # Each controller (deployment, replicaset, job, namespace, garbage collector, ...)
            # acts as its own service account, as in a real cluster, so RBAC applies.
            "--use-service-account-credentials=true",
            f"--service-account-private-key-file={pki.service_account_key}",
            f"--root-ca-file={pki.ca_cert}",
            f"--cluster-signing-cert-file={pki.ca_cert}",
            f"--cluster-signing-key-file={pki.ca_key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            # One instance, and it must survive an API server restart in a test: with leader
            # election it would exit once it cannot renew its lease.
            "--leader-elect=false",
            # No HTTPS health endpoint: it would need a port per cluster and delegated auth.
            "--secure-port=0",
            "--kube-api-qps=200",
            "--kube-api-burst=400",
        ],
        "kube-scheduler": [
            str(install.binary("kube-scheduler")),
            f"--kubeconfig={component_kubeconfig(directory, 'scheduler')}",
            "--leader-elect=false",
            "--secure-port=0",
            "--kube-api-qps=200",
            "--kube-api-burst=400",
        ],
        "kwok": [
            str(install.binary("kwok")),
            f"--kubeconfig={component_kubeconfig(directory, 'kwok')}",
            f"--config={install.kwok_stages}",
            "--manage-all-nodes=true",
            # kwok keeps each node's Lease fresh, so the node lifecycle controller never marks
            # the fake node NotReady and evicts its pods.
            "--node-lease-duration-seconds=40",
            "--node-ip=127.0.0.1",
            "--cidr=10.244.0.0/16",
        ],
    }


def fake_node() -> dict[str, Any]:
    """The node kwok runs: untainted, with room for many pods."""
    resources = {"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "1Ti"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": NODE_NAME,
            "labels": {
                "kubernetes.io/hostname": NODE_NAME,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "type": "kwok",
            },
            "annotations": {"kwok.x-k8s.io/node": "fake"},
        },
        "status": {"allocatable": resources, "capacity": resources},
    }
