#!/usr/bin/env bash
# `make chart-check`: lint the Helm chart, render it (defaults and a trial configuration) and
# validate every object against the Kubernetes API schemas, offline.
#
# helm and kubeconform are built from the Go module proxy (`go install`, pinned versions);
# the schemas come from the kubernetes-validate package on PyPI, which ships the JSON schemas
# of every Kubernetes release. All are cached under ~/.cache/resonance. The Strimzi and KEDA
# kinds have no schema in any package we can fetch: they are skipped by name here (and only
# they) and checked by tests/deploy/test_chart.py instead.
set -euo pipefail

HELM_VERSION=v3.19.5
KUBECONFORM_VERSION=v0.8.0
SCHEMA_PACKAGE=kubernetes-validate==1.37.0
KUBERNETES_VERSION=1.33.0
CRD_KINDS=KafkaTopic,KafkaUser,ScaledObject,TriggerAuthentication

here=$(cd "$(dirname "$0")" && pwd)
chart=$here/resonance
cache=${XDG_CACHE_HOME:-$HOME/.cache}/resonance
out=${1:-$cache/chart-render}
bin=$cache/bin
schemas=$cache/kubernetes-json-schema
PYTHON=${PYTHON:-python3}

go_tool() {  # name module version: a cached binary per version
    local name=$1 module=$2 version=$3 target=$bin/$1-$3
    if [[ ! -x $target ]]; then
        command -v go >/dev/null || { echo "chart-check: Go is needed to build $name" >&2; exit 1; }
        echo "chart-check: building $name $version (once)" >&2
        local tmp
        tmp=$(mktemp -d)
        GOBIN=$tmp GOFLAGS=-buildvcs=false go install "$module@$version"
        mkdir -p "$bin"
        mv "$tmp/$name" "$target"
        rm -rf "$tmp"
    fi
    echo "$target"
}

helm=$(go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")
kubeconform=$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")

flavour=v$KUBERNETES_VERSION-local-strict
if [[ ! -f $schemas/$flavour/_definitions.json ]]; then
    echo "chart-check: fetching Kubernetes $KUBERNETES_VERSION schemas ($SCHEMA_PACKAGE, once)" >&2
    tmp=$(mktemp -d)
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: "$SCHEMA_PACKAGE" -d "$tmp"
    "$PYTHON" - "$tmp"/*.whl "$schemas" "$flavour" <<'PY'
import json, sys, zipfile
from pathlib import Path
wheel, dest, flavour = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
prefix = f"kubernetes_validate/kubernetes-json-schema/{flavour}/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith(".json"):
            target = dest / flavour / name[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            # The files name their $id and $refs on kubernetes.io; without the $id and with
            # relative $refs they resolve against each other on disk, offline.
            doc = json.loads(z.read(name))
            doc.pop("$id", None)
            text = json.dumps(doc).replace('"/api/_definitions.json#', '"_definitions.json#')
            target.write_text(text)
PY
    rm -rf "$tmp"
fi

# Helm keeps its own state out of the user's home: nothing but the chart is read.
export HELM_CACHE_HOME=$cache/helm/cache HELM_CONFIG_HOME=$cache/helm/config HELM_DATA_HOME=$cache/helm/data
mkdir -p "$out"
"$helm" lint --strict --kube-version "$KUBERNETES_VERSION" "$chart" >&2
"$helm" lint --strict --kube-version "$KUBERNETES_VERSION" "$chart" -f "$here/trial-values.yaml" >&2
"$helm" template resonance "$chart" --kube-version "$KUBERNETES_VERSION" --namespace resonance > "$out/default.yaml"
"$helm" template resonance "$chart" --kube-version "$KUBERNETES_VERSION" --namespace resonance -f "$here/trial-values.yaml" > "$out/trial.yaml"

"$kubeconform" -strict -summary -kubernetes-version "$KUBERNETES_VERSION" \
    -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -skip "$CRD_KINDS" "$out/default.yaml" "$out/trial.yaml"
