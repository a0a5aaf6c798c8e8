"""The offline rules agree with the real API server (Kubernetes 1.36.3, strict field
validation, server-side dry-run): every valid object of the realistic set is accepted, and every
object validation calls an error is refused, so there is neither a false alarm nor a rule the
server does not have."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_action.config import Target
from gitops_action.core.yamlio import dump
from gitops_action.render import render_target
from gitops_action.validate.checks import check_target
from tests.support import KUBECTL
from tests.validate.helpers import manifests

pytestmark = pytest.mark.cluster

REALISTIC = Path(__file__).parent / "realistic"
POD = "spec:\n  containers: [{name: c, image: busybox}]\n"
DEPLOY = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    "    spec:\n      containers:\n        - name: web\n          image: nginx\n"
)
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"

REFUSED = {
    "type error": DEPLOY + "  replicas: three\n",
    "fraction for an integer": DEPLOY + "  replicas: 3.5\n",
    "unknown field": DEPLOY + "  replica: 3\n",
    "unknown metadata field": CM + "  lables: {a: b}\n",
    "missing required field": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n"
    "spec: {}\n",
    "invalid quantity": DEPLOY + "          resources: {requests: {cpu: half}}\n",
    "int-or-string fraction": DEPLOY + "  strategy: {rollingUpdate: {maxSurge: 1.5}}\n",
    "int32 overflow": DEPLOY + "          ports: [{containerPort: 99999999999}]\n",
    "number for a string": CM + "data: {port: 8080}\n",
    "secret not base64": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {p: hunter2}\n",
    "subdomain name": CM.replace("name: c", "name: My_App"),
    "service name with a dot": "apiVersion: v1\nkind: Service\nmetadata: {name: web.api}\n"
    "spec: {ports: [{port: 80}]}\n",
    "statefulset name with a dot": "apiVersion: apps/v1\nkind: StatefulSet\n"
    "metadata: {name: db.primary}\nspec:\n  selector: {matchLabels: {a: b}}\n"
    "  template:\n    metadata: {labels: {a: b}}\n    " + POD.replace("\n  ", "\n      "),
    "rbac name with a slash": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
    "metadata: {name: team/admin}\n",
    "cronjob name over 52": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n"
    f"  name: {'n' * 53}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n"
    "      template:\n        spec: {restartPolicy: Never, containers: [{name: c, image: b}]}\n",
    "label value": CM + "  labels: {a: 'my app'}\n",
    "label key": CM + "  labels: {example.com/team/x: a}\n",
    "annotation key": CM + "  annotations: {bad key: x}\n",
    "crd name": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    "metadata: {name: gadget.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n"
    "  names: {plural: gadgets, kind: Gadget}\n  versions:\n"
    "    - {name: v1, served: true, storage: true, "
    "schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}\n",
    "removed api version": "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
    "metadata: {name: p}\nspec: {minAvailable: 1}\n",
}
# What the API server says for each (a fragment), so that a refusal for another reason
# (a missing namespace, a typo in the test) cannot pass for agreement.
SERVER_SAYS = {
    "type error": ".spec.replicas: expected numeric",
    "fraction for an integer": "cannot convert float64 to int32",
    "unknown field": ".spec.replica: field not declared in schema",
    "unknown metadata field": ".metadata.lables: field not declared in schema",
    "missing required field": "spec.selector: Required value",
    "invalid quantity": "quantities must match the regular expression",
    "int-or-string fraction": "cannot unmarshal number 1.5",
    "int32 overflow": "containerPort: Invalid value",
    "number for a string": ".data.port: expected string",
    "secret not base64": "illegal base64 data",
    "subdomain name": "a lowercase RFC 1123 subdomain",
    "service name with a dot": 'Invalid value: "web.api"',
    "statefulset name with a dot": 'Invalid value: "db.primary"',
    "rbac name with a slash": "may not contain '/'",
    "cronjob name over 52": "must be no more than 52 characters",
    "label value": 'metadata.labels: Invalid value: "my app"',
    "label key": 'metadata.labels: Invalid value: "example.com/team/x"',
    "annotation key": 'metadata.annotations: Invalid value: "bad key"',
    "crd name": 'must be spec.names.plural+"."+spec.group',
    "removed api version": 'no matches for kind "PodDisruptionBudget" in version "policy/v1beta1"',
}
ACCEPTED = {
    "service name starting with a digit": "apiVersion: v1\nkind: Service\n"
    "metadata: {name: 2fa-api}\nspec: {ports: [{port: 80}]}\n",
    "rbac name with colon and space": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
    'metadata: {name: "system:Team Admin"}\n',
    "odd but valid quantities": DEPLOY
    + "          resources: {requests: {cpu: '5.', memory: '+1Gi'}, limits: {cpu: .5e1}}\n",
    "integral float for an integer": DEPLOY + "  replicas: 3.0\n",
    "annotation key with capitals": CM + "  annotations: {Example.COM/Note: x}\n",
    "namespace on a cluster-scoped kind": "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: ClusterRole\nmetadata: {name: t-reader, namespace: default}\n",
}


def dry_run(kubeconfig: Path, namespace: str, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "-n", namespace, "apply", "--server-side",
         "--dry-run=server", "--validate=strict", "--field-manager=gitops-action", "-f", "-"],
        input=text, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def errors(text: str) -> list[str]:
    return [
        str(f)
        for f in check_target(Target("t", "deploy"), manifests(text))
        if f.severity == "error"
    ]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_validation_calls_an_error_the_api_server_refuses(
    case: str, kubeconfig: Path, namespace: str
) -> None:
    assert errors(REFUSED[case]), "validation found nothing"
    result = dry_run(kubeconfig, namespace, REFUSED[case])
    assert result.returncode != 0, result.stdout
    assert SERVER_SAYS[case] in result.stderr


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_what_validation_accepts_the_api_server_accepts(
    case: str, kubeconfig: Path, namespace: str
) -> None:
    assert errors(ACCEPTED[case]) == []
    result = dry_run(kubeconfig, namespace, ACCEPTED[case])
    assert result.returncode == 0, result.stderr


@pytest.fixture
def widget_crd(kubeconfig: Path) -> Iterator[None]:
    crd = (REALISTIC / "widgets.yaml").read_text().split("---\n")[0]
    base = [KUBECTL, "--kubeconfig", str(kubeconfig)]
    subprocess.run([*base, "apply", "--server-side", "-f", "-"], input=crd, text=True, check=True)
    subprocess.run(
        [*base, "wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=60s"],
        check=True,
    )
    yield
    subprocess.run([*base, "delete", "crd/widgets.example.com", "--wait=false"], check=False)


def test_the_realistic_set_is_accepted_by_the_api_server(
    kubeconfig: Path, namespace: str, widget_crd: None
) -> None:
    rendered = render_target(Target(name="shop", path="."), REALISTIC)
    assert check_target(rendered.target, rendered.manifests) == []
    objects = []
    for manifest in rendered.manifests:
        if manifest.api_version.startswith("monitoring.coreos.com/"):
            continue  # its CRD lives elsewhere; validation skips it too
        meta = manifest.obj["metadata"]
        if meta.get("namespace") == "shop":
            meta["namespace"] = namespace
        objects.append(dump(manifest.obj))
    result = dry_run(kubeconfig, namespace, "---\n".join(objects))
    assert result.returncode == 0, result.stderr
