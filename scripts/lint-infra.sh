#!/usr/bin/env bash
# Offline checks of the SAM template (infra/template.yaml); no AWS account or network needed
# once the venv exists.
#   1. cfn-lint on the template as written;
#   2. expand it with aws-sam-translator (scripts/sam2cfn.py) and cfn-lint the expansion,
#      because cfn-lint alone does not look inside AWS::Serverless::Function;
#   3. the invariant tests in infra/tests (pytest).
# The tools live in a venv at the repo root (.venv-cfn, gitignored), installed from the pinned
# infra/requirements-lint.txt on first use or when that file changes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="$root/.venv-cfn"
requirements=infra/requirements-lint.txt
template=infra/template.yaml
expanded=target/sam-expanded.json

export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export PYTHONDONTWRITEBYTECODE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
have="$(cat "$venv/.requirements.sha256" 2>/dev/null || true)"
if [[ ! -x "$venv/bin/python" || "$have" != "$want" ]]; then
    echo "lint-infra: installing pinned cfn-lint, aws-sam-translator and pytest into .venv-cfn" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --requirement "$requirements"
    echo "$want" > "$venv/.requirements.sha256"
fi

echo "lint-infra: cfn-lint $template"
"$venv/bin/cfn-lint" "$template"

echo "lint-infra: expand with aws-sam-translator -> $expanded, then cfn-lint it"
"$venv/bin/python" scripts/sam2cfn.py "$template" "$expanded"
"$venv/bin/cfn-lint" "$expanded"

echo "lint-infra: invariant tests"
"$venv/bin/python" -m pytest -q -p no:cacheprovider infra/tests
