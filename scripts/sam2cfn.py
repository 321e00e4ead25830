#!/usr/bin/env python3
"""Expand a SAM template into plain CloudFormation, offline.

cfn-lint (1.x) validates AWS::Serverless::* resources only against SAM's schema, so it misses
mistakes inside them (runtime, architecture, event source fields, dangling references).
Expanding with aws-sam-translator first and linting the result catches those.

Offline means: local CodeUri/DefinitionUri values are swapped for s3:// placeholders (the
translator insists on S3 locations) and the managed-policy loader returns an empty map, so no
IAM ListPolicies call is made. AWS_DEFAULT_REGION must be set (the translator needs a region
for partition lookups).

Usage: sam2cfn.py TEMPLATE.yaml OUT.json
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

PLACEHOLDER_BUCKET = "posbridge-offline-placeholder"

# Properties whose local paths `sam build`/`sam package` would upload, by resource type.
_LOCAL_URI_PROPS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}
_GLOBALS_SECTION = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::Api": "Api",
}


class _NoManagedPolicies:
    """Stands in for samtranslator's ManagedPolicyLoader without calling IAM."""

    def load(self) -> dict[str, str]:
        return {}


def _is_local(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith("s3://")


def with_placeholder_uris(template: dict[str, Any]) -> dict[str, Any]:
    """Return a copy whose local code/definition paths point at a placeholder S3 object."""
    out = copy.deepcopy(template)
    for section_type, section in _GLOBALS_SECTION.items():
        props = out.get("Globals", {}).get(section, {})
        key = _LOCAL_URI_PROPS[section_type]
        if _is_local(props.get(key)):
            props[key] = f"s3://{PLACEHOLDER_BUCKET}/globals-{section}.zip"
    for name, resource in out.get("Resources", {}).items():
        key = _LOCAL_URI_PROPS.get(resource.get("Type", ""))
        props = resource.get("Properties") or {}
        if key and _is_local(props.get(key)):
            props[key] = f"s3://{PLACEHOLDER_BUCKET}/{name}.zip"
    return out


def expand(template_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a SAM template file and return the CloudFormation it expands to."""
    if not os.environ.get("AWS_DEFAULT_REGION"):
        raise SystemExit("sam2cfn: set AWS_DEFAULT_REGION (e.g. us-east-1); the translator needs it")
    # Imported here so `--help` works without the venv.
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    sam = yaml_parse(Path(template_path).read_text(encoding="utf-8"))
    return transform(with_placeholder_uris(sam), {}, _NoManagedPolicies())


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, dst = argv[1], Path(argv[2])
    try:
        cfn = expand(src)
    except Exception as err:  # the translator's errors are already descriptive
        print(f"sam2cfn: {src}: {err}", file=sys.stderr)
        return 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(cfn, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
