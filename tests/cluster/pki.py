"""Keys, certificates and static tokens for one local control plane.

Made with the `openssl` command line (present on Linux and macOS runners) so that starting a
cluster needs nothing from PyPI. A fresh CA per cluster: clients verify the API server's
certificate against it instead of skipping TLS verification.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Where the API server is reachable from clients; its serving certificate names all of them.
SERVER_SANS = (
    "IP:127.0.0.1",
    "IP:10.0.0.1",  # the `kubernetes` Service's ClusterIP, first address of the service range
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
)

# (user, groups) for each static token. The admin is a cluster-admin through system:masters;
# each component gets the identity that the default RBAC policy already grants what it needs.
TOKEN_USERS = {
    "admin": ("admin", ("system:masters",)),
    "controller-manager": ("system:kube-controller-manager", ()),
    "scheduler": ("system:kube-scheduler", ()),
    # kwok writes node and pod status, leases and events for every node it fakes.
    "kwok": ("kwok", ("system:masters",)),
}


@dataclass(frozen=True)
class Pki:
    """Paths of the generated material, and the tokens by TOKEN_USERS key."""

    directory: Path
    tokens: dict[str, str]

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.directory / "apiserver.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "apiserver.key"

    @property
    def service_account_key(self) -> Path:
        return self.directory / "sa.key"

    @property
    def service_account_pub(self) -> Path:
        return self.directory / "sa.pub"

    @property
    def token_file(self) -> Path:
        return self.directory / "tokens.csv"


def _openssl(*args: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("`openssl` is not on PATH: install it (Debian: apt-get install openssl)")
    subprocess.run([openssl, *args], check=True, capture_output=True)


def create_pki(directory: Path) -> Pki:
    """Write a CA, the API server's serving certificate, the service-account signing key pair
    and the static token file into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    pki = Pki(directory, {name: secrets.token_hex(24) for name in TOKEN_USERS})
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-days", "3650", "-subj", "/CN=gitops-action-test-ca",
        "-keyout", str(pki.ca_key), "-out", str(pki.ca_cert),
    )  # fmt: skip
    _openssl(
        "req", "-x509", *ec, "-days", "3650", "-subj", "/CN=kube-apiserver",
        "-CA", str(pki.ca_cert), "-CAkey", str(pki.ca_key),
        "-addext", f"subjectAltName={','.join(SERVER_SANS)}",
        "-addext", "extendedKeyUsage=serverAuth",
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-keyout", str(pki.server_key), "-out", str(pki.server_cert),
    )  # fmt: skip
    _openssl(
        "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
        "-out", str(pki.service_account_key),
    )  # fmt: skip
    _openssl(
        "pkey", "-in", str(pki.service_account_key), "-pubout",
        "-out", str(pki.service_account_pub),
    )  # fmt: skip
    # token,user,uid,"group1,group2" as kube-apiserver's --token-auth-file expects.
    lines = [
        f'{pki.tokens[name]},{user},{user},"{",".join(groups)}"'
        for name, (user, groups) in TOKEN_USERS.items()
    ]
    pki.token_file.write_text("\n".join(lines) + "\n")
    for path in directory.iterdir():
        path.chmod(0o600)
    return pki
