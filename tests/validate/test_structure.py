"""Structure and metadata: what every object needs, and the API server's rules for names,
labels, annotations and namespaces (Kubernetes 1.36)."""

from __future__ import annotations

from tests.validate.helpers import check

SUBDOMAIN = (
    "must be a lowercase RFC 1123 subdomain: lower case letters, digits, '-' and '.', "
    "starting and ending with a letter or digit (e.g. 'example.com')"
)
LABEL = (
    "must be a lowercase RFC 1123 label: lower case letters, digits and '-', "
    "starting and ending with a letter or digit (e.g. 'my-name' or '123-abc')"
)


def test_missing_api_version_points_at_the_document_start() -> None:
    assert check("---\nkind: ConfigMap\nmetadata: {name: a}\n") == [
        "deploy/web.yaml:2:1: ConfigMap/a: missing apiVersion; every object needs apiVersion "
        "and kind (e.g. apiVersion: apps/v1, kind: Deployment)"
    ]


def test_missing_kind_points_at_the_document_start() -> None:
    assert check("apiVersion: v1\nmetadata: {name: a}\n") == [
        "deploy/web.yaml:1:1: missing kind; every object needs apiVersion and kind "
        "(e.g. apiVersion: apps/v1, kind: Deployment)"
    ]


def test_missing_metadata_name_points_at_the_metadata_key() -> None:
    assert check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n") == [
        "deploy/web.yaml:3:1: missing metadata.name: every ConfigMap needs one"
    ]


def test_an_object_without_metadata_points_at_its_start() -> None:
    assert check("apiVersion: v1\nkind: ConfigMap\n") == [
        "deploy/web.yaml:1:1: missing metadata.name: every ConfigMap needs one"
    ]


def test_generate_name_is_refused_because_apply_needs_a_fixed_name() -> None:
    assert check("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\n") == [
        "deploy/web.yaml:3:1: missing metadata.name: every Job needs one; generateName is not "
        "supported: apply needs a fixed name"
    ]


def test_a_deployment_name_must_be_a_dns_subdomain() -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: My_App\n"
    assert check(text)[0] == (
        'deploy/web.yaml:4:3: Deployment/My_App: metadata.name "My_App" is not a valid '
        f"Deployment name (an RFC 1123 subdomain): {SUBDOMAIN}"
    )


def test_a_service_name_must_be_a_dns_label_but_may_start_with_a_digit() -> None:
    assert check("apiVersion: v1\nkind: Service\nmetadata: {name: 2fa-api}\n") == []
    assert check("apiVersion: v1\nkind: Service\nmetadata:\n  name: web.api\n") == [
        'deploy/web.yaml:4:3: Service/web.api: metadata.name "web.api" is not a valid Service '
        f"name (an RFC 1123 label): {LABEL}"
    ]


def test_a_namespace_name_is_a_dns_label_of_at_most_63_characters() -> None:
    name = "a" * 64
    assert check(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n") == [
        f'deploy/web.yaml:4:3: Namespace/{name}: metadata.name "{name}" is not a valid Namespace '
        "name (an RFC 1123 label): must be no more than 63 characters"
    ]


def test_a_statefulset_name_is_a_dns_label() -> None:
    text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db.primary\n"
    assert check(text)[0] == (
        'deploy/web.yaml:4:3: StatefulSet/db.primary: metadata.name "db.primary" is not a valid '
        f"StatefulSet name (an RFC 1123 label): {LABEL}"
    )


def test_rbac_names_are_path_segments_so_colons_and_spaces_pass_but_slashes_do_not() -> None:
    rbac = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: "
    assert check(rbac + '"system:Team Admin"\n') == []
    assert check(rbac + "team/admin\n") == [
        'deploy/web.yaml:4:3: ClusterRole/team/admin: metadata.name "team/admin" is not a valid '
        "ClusterRole name (a path segment): may not contain '/'"
    ]


def test_a_cronjob_name_leaves_room_for_the_job_suffix() -> None:
    name = "n" * 53
    text = f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\n"
    assert check(text)[0] == (
        f'deploy/web.yaml:4:3: CronJob/{name}: metadata.name "{name}" is not a valid CronJob '
        "name (an RFC 1123 subdomain): must be no more than 52 characters (a CronJob's Jobs add 11)"
    )


def test_a_crd_must_be_named_plural_dot_group() -> None:
    text = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  name: widget.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n"
        "  names: {plural: widgets, kind: Widget}\n  versions: []\n"
    )
    assert check(text) == [
        "deploy/web.yaml:4:3: CustomResourceDefinition/widget.example.com: metadata.name "
        '"widget.example.com" is not a valid CustomResourceDefinition name (an RFC 1123 '
        'subdomain): must be "widgets.example.com" (spec.names.plural + "." + spec.group)'
    ]


def test_a_custom_resource_name_is_a_dns_subdomain_even_without_its_crd() -> None:
    text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: Big_Widget\n"
    assert check(text) == [
        'deploy/web.yaml:4:3: Widget/Big_Widget: metadata.name "Big_Widget" is not a valid '
        f"Widget name (an RFC 1123 subdomain): {SUBDOMAIN}"
    ]


def test_invalid_label_keys_and_values_and_annotation_keys_point_at_their_line() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n"
        "    app.kubernetes.io/name: my app\n    example.com/team/x: a\n    -bad: a\n"
        "  annotations:\n    Example.COM/Upper-Case-Is-Fine: x\n    bad key: x\n"
    )
    name_part = (
        "name part must consist of letters, digits, '-', '_' or '.', "
        "and must start and end with a letter or digit"
    )
    assert check(text) == [
        'deploy/web.yaml:6:5: ConfigMap/a: metadata.labels["app.kubernetes.io/name"] value '
        "\"my app\" is invalid: must be empty or consist of letters, digits, '-', '_' or '.', "
        "and must start and end with a letter or digit",
        'deploy/web.yaml:7:5: ConfigMap/a: metadata.labels key "example.com/team/x" is invalid: '
        "must be a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/name')",
        f'deploy/web.yaml:8:5: ConfigMap/a: metadata.labels key "-bad" is invalid: {name_part}',
        f'deploy/web.yaml:11:5: ConfigMap/a: metadata.annotations key "bad key" is invalid: '
        f"{name_part}",
    ]


def test_pod_template_labels_are_checked_too() -> None:
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n"
        "    metadata:\n      labels: {version: 1.0}\n"
        "    spec: {restartPolicy: Never, containers: [{name: j, image: busybox}]}\n"
    )
    assert check(text) == [
        "deploy/web.yaml:7:16: Job/j: spec.template.metadata.labels.version must be a string, "
        'got 1.0; quote it: "1.0"'
    ]


def test_a_namespace_on_a_cluster_scoped_kind_is_a_warning_because_the_server_drops_it() -> None:
    text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
    findings = check(text + "  name: reader\n  namespace: shop\n")
    assert findings == [
        "deploy/web.yaml:5:3: ClusterRole/reader: metadata.namespace is ignored: ClusterRole is "
        "cluster-scoped; remove it"
    ]


def test_a_crd_in_the_target_decides_the_scope_of_its_kind() -> None:
    text = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: clusterwidgets.example.com}\nspec:\n  group: example.com\n"
        "  scope: Cluster\n  names: {plural: clusterwidgets, kind: ClusterWidget}\n"
        "  versions: []\n---\napiVersion: example.com/v1\nkind: ClusterWidget\n"
        "metadata:\n  name: w\n  namespace: shop\n"
    )
    assert check(text) == [
        "deploy/web.yaml:14:3: ClusterWidget/w: metadata.namespace is ignored: ClusterWidget is "
        "cluster-scoped; remove it"
    ]


def test_an_invalid_namespace_name_is_an_error() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: Shop\n"
    assert check(text) == [
        f'deploy/web.yaml:5:3: ConfigMap/Shop/a: metadata.namespace "Shop" is invalid: {LABEL}'
    ]


def test_metadata_that_is_not_a_mapping_is_one_error() -> None:
    assert check("apiVersion: v1\nkind: ConfigMap\nmetadata: [a]\n") == [
        "deploy/web.yaml:3:1: metadata must be a mapping, got a list"
    ]
