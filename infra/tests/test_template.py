"""Invariants of infra/template.yaml, checked offline.

Two views of the stack are tested:
* the template as written (parsed with cfn-lint's YAML decoder so !Ref/!GetAtt/!Sub parse), for
  what the issue asks of the SAM resources themselves;
* the CloudFormation that aws-sam-translator expands it to (scripts/sam2cfn.py), for what SAM
  actually generates: event source mapping, schedules, routes, and every IAM role attached to a
  function, including anything SAM would add on its own.

Set POSBRIDGE_SAM_TEMPLATE to test another copy of the template (used to check that each test
fails when its invariant is broken).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = Path(os.environ.get("POSBRIDGE_SAM_TEMPLATE", REPO / "infra" / "template.yaml"))

# Logical id -> cargo binary, fixed by the lead (the Rust crates under functions/).
FUNCTIONS = {
    "ActivateFunction": "posbridge-fn-activate",
    "WebhookFunction": "posbridge-fn-webhook",
    "WorkerFunction": "posbridge-fn-worker",
    "SchedulerFunction": "posbridge-fn-scheduler",
    "ApiFunction": "posbridge-fn-api",
}

ROUTES = {
    ("ActivateFunction", "GET", "/activate/{platform}/start"),
    ("ActivateFunction", "GET", "/activate/{platform}/callback"),
    ("ActivateFunction", "POST", "/activate/woocommerce/keys"),
    ("ActivateFunction", "GET", "/bigcommerce/load"),
    ("ActivateFunction", "GET", "/bigcommerce/uninstall"),
    ("ActivateFunction", "GET", "/bigcommerce/remove_user"),
    ("WebhookFunction", "POST", "/webhooks/{source}"),
    ("WebhookFunction", "POST", "/webhooks/{source}/{integration_id}"),
    ("ApiFunction", "ANY", "/api/{proxy+}"),
}

ENV_VARS = {
    "POSBRIDGE_TABLE": {"Ref": "Table"},
    "POSBRIDGE_QUEUE_URL": {"Ref": "JobsQueue"},  # Ref of an SQS queue is its URL
    "POSBRIDGE_KMS_KEY_ID": {"Fn::GetAtt": ["CredentialsKey", "Arn"]},
    "POSBRIDGE_PUBLIC_URL": {"Ref": "PublicBaseUrl"},
    "POSBRIDGE_APP_SECRETS": {"Ref": "AppSecretsName"},
    "RUST_LOG": {"Ref": "LogLevel"},
}


# ------------------------------------------------------------------ loading


def _plain(value: Any) -> Any:
    """cfn-lint's node classes -> plain dict/list/str, so comparisons and hashing are ordinary."""
    return json.loads(json.dumps(value))


@pytest.fixture(scope="session")
def sam() -> dict[str, Any]:
    return _plain(cfn_yaml.load(str(TEMPLATE)))


@pytest.fixture(scope="session")
def cfn() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("sam2cfn", REPO / "scripts" / "sam2cfn.py")
    assert spec and spec.loader
    sam2cfn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sam2cfn)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return _plain(sam2cfn.expand(TEMPLATE))


def resources_of(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def fn_prop(sam: dict[str, Any], fn: str, key: str) -> Any:
    """A function property as SAM resolves it: the function's own value, else Globals."""
    props = sam["Resources"][fn]["Properties"]
    if key in props:
        return props[key]
    return sam.get("Globals", {}).get("Function", {}).get(key)


def events_of(sam: dict[str, Any], fn: str, type_: str) -> dict[str, dict[str, Any]]:
    events = sam["Resources"][fn]["Properties"].get("Events", {})
    return {k: v["Properties"] for k, v in events.items() if v["Type"] == type_}


def getatt(name: str, attr: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [name, attr]}


# ------------------------------------------------------------------ functions


def test_exactly_the_five_functions_with_their_binaries(sam):
    functions = resources_of(sam, "AWS::Serverless::Function")
    assert set(functions) == set(FUNCTIONS)
    for name, binary in FUNCTIONS.items():
        meta = functions[name].get("Metadata", {})
        assert meta.get("BuildMethod") == "rust-cargolambda", name
        assert meta.get("BuildProperties", {}).get("Binary") == binary, name


def test_binaries_are_packages_of_the_workspace():
    packages = {
        tomllib.loads(p.read_text())["package"]["name"] for p in REPO.glob("functions/*/Cargo.toml")
    }
    assert set(FUNCTIONS.values()) <= packages


def test_code_uri_is_the_workspace_root(sam):
    for fn in FUNCTIONS:
        code_uri = fn_prop(sam, fn, "CodeUri")
        assert isinstance(code_uri, str), fn
        root = (TEMPLATE.parent / code_uri).resolve()
        assert root == REPO, (fn, code_uri)
        assert "[workspace]" in (root / "Cargo.toml").read_text()


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_runtime_architecture_handler(sam, fn):
    assert fn_prop(sam, fn, "Runtime") == "provided.al2023"
    assert fn_prop(sam, fn, "Architectures") == ["arm64"]
    assert fn_prop(sam, fn, "Handler") == "bootstrap"


def test_expanded_functions_keep_runtime_and_architecture(cfn):
    lambdas = resources_of(cfn, "AWS::Lambda::Function")
    assert set(lambdas) == set(FUNCTIONS)
    for name, res in lambdas.items():
        props = res["Properties"]
        assert props["Runtime"] == "provided.al2023", name
        assert props["Architectures"] == ["arm64"], name
        assert props["Handler"] == "bootstrap", name


def test_every_function_gets_the_environment_the_code_reads(cfn):
    for name, res in resources_of(cfn, "AWS::Lambda::Function").items():
        variables = res["Properties"].get("Environment", {}).get("Variables", {})
        for var, value in ENV_VARS.items():
            assert variables.get(var) == value, (name, var)


def test_webhook_timeout_is_short_and_worker_is_longer(sam):
    webhook = int(fn_prop(sam, "WebhookFunction", "Timeout"))
    worker = int(fn_prop(sam, "WorkerFunction", "Timeout"))
    assert webhook <= 10  # it only verifies and enqueues
    assert worker > webhook


# ------------------------------------------------------------------ HTTP API


def test_http_routes(sam):
    routes = set()
    for fn in FUNCTIONS:
        for name, props in events_of(sam, fn, "HttpApi").items():
            assert props.get("ApiId") == {"Ref": "HttpApi"}, (fn, name)
            routes.add((fn, props["Method"].upper(), props["Path"]))
    assert routes == ROUTES


def test_expanded_http_api_has_every_route(cfn):
    body = cfn["Resources"]["HttpApi"]["Properties"]["Body"]
    found = set()
    for path, methods in body["paths"].items():
        for method, op in methods.items():
            uri = op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            fn = re.search(r"functions/\$\{(\w+)\.Arn\}/invocations", uri).group(1)
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            found.add((fn, verb, path))
    assert found == ROUTES


def test_management_api_requires_jwt_from_parameters(sam):
    api = sam["Resources"]["HttpApi"]["Properties"]
    auth = api["Auth"]
    assert "DefaultAuthorizer" not in auth  # activation and webhooks stay public
    authorizers = auth["Authorizers"]
    assert len(authorizers) == 1
    (name, jwt), = authorizers.items()
    config = jwt["JwtConfiguration"]
    assert config["issuer"] == {"Ref": "JwtIssuer"}
    assert config["audience"] == [{"Ref": "JwtAudience"}]
    assert {"JwtIssuer", "JwtAudience"} <= set(sam["Parameters"])
    for fn in FUNCTIONS:
        for props in events_of(sam, fn, "HttpApi").values():
            authorizer = props.get("Auth", {}).get("Authorizer")
            if props["Path"].startswith("/api/"):
                assert authorizer == name
            else:
                assert authorizer in (None, "NONE"), props["Path"]


def test_expanded_only_management_routes_are_secured(cfn):
    body = cfn["Resources"]["HttpApi"]["Properties"]["Body"]
    for path, methods in body["paths"].items():
        for op in methods.values():
            secured = bool(op.get("security"))
            assert secured == path.startswith("/api/"), path


# ------------------------------------------------------------------ queues


def test_jobs_queue_is_fifo_with_explicit_dedup_ids(sam):
    q = sam["Resources"]["JobsQueue"]
    assert q["Type"] == "AWS::SQS::Queue"
    props = q["Properties"]
    assert props["QueueName"] == "posbridge-jobs.fifo"
    assert props["FifoQueue"] is True
    assert props["ContentBasedDeduplication"] is False


def test_dead_letter_queue_is_fifo_with_redrive(sam):
    redrive = sam["Resources"]["JobsQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == getatt("JobsDeadLetterQueue", "Arn")
    assert int(redrive["maxReceiveCount"]) >= 5
    dlq = sam["Resources"]["JobsDeadLetterQueue"]["Properties"]
    assert dlq["QueueName"] == "posbridge-jobs-dlq.fifo"
    assert dlq["FifoQueue"] is True
    assert int(dlq["MessageRetentionPeriod"]) == 14 * 24 * 3600


def test_worker_consumes_jobs_with_partial_batch_failures(sam):
    events = events_of(sam, "WorkerFunction", "SQS")
    assert len(events) == 1
    (props,) = events.values()
    assert props["Queue"] == getatt("JobsQueue", "Arn")
    assert int(props["BatchSize"]) == 10
    assert "ReportBatchItemFailures" in props["FunctionResponseTypes"]


def test_visibility_timeout_is_at_least_six_worker_timeouts(sam):
    visibility = int(sam["Resources"]["JobsQueue"]["Properties"]["VisibilityTimeout"])
    worker_timeout = int(fn_prop(sam, "WorkerFunction", "Timeout"))
    assert visibility >= 6 * worker_timeout


def test_expanded_event_source_mapping(cfn):
    mappings = resources_of(cfn, "AWS::Lambda::EventSourceMapping")
    assert len(mappings) == 1
    (esm,) = mappings.values()
    props = esm["Properties"]
    assert props["FunctionName"] == {"Ref": "WorkerFunction"}
    assert props["EventSourceArn"] == getatt("JobsQueue", "Arn")
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BatchSize"] == 10


# ------------------------------------------------------------------ table


def test_table_keys_and_billing(sam):
    table = sam["Resources"]["Table"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert types == {k: "S" for k in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")}


def test_table_gsis(sam):
    gsis = {g["IndexName"]: g for g in sam["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]}
    assert set(gsis) == {"gsi1", "gsi2"}
    for name, gsi in gsis.items():
        assert gsi["KeySchema"] == [
            {"AttributeName": f"{name}pk", "KeyType": "HASH"},
            {"AttributeName": f"{name}sk", "KeyType": "RANGE"},
        ]
        assert gsi["Projection"]["ProjectionType"] == "ALL"


def test_table_ttl_and_point_in_time_recovery(sam):
    props = sam["Resources"]["Table"]["Properties"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


# ------------------------------------------------------------------ schedules

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/\-#LW]+$")


def schedule_expression_errors(expr: str) -> list[str]:
    """Checks EventBridge Scheduler expression syntax, which cfn-lint does not (LOCAL-AWS.md §5)."""
    if m := _RATE.match(expr):
        n, unit = int(m.group(1)), m.group(2)
        if n < 1:
            return ["rate value must be positive"]
        if (n == 1) != (not unit.endswith("s")):
            return [f"rate({n} {unit}): use the singular unit exactly when the value is 1"]
        return []
    if expr.startswith("cron(") and expr.endswith(")"):
        fields = expr[5:-1].split(" ")
        if len(fields) != 6:
            return [f"cron needs 6 fields (min hour dom month dow year), got {len(fields)}"]
        if not all(_CRON_FIELD.match(f) for f in fields):
            return ["cron field with unexpected characters"]
        if (fields[2] == "?") == (fields[4] == "?"):
            return ["cron: exactly one of day-of-month and day-of-week must be '?'"]
        return []
    if re.fullmatch(r"at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)", expr):
        return []
    return [f"not a rate(), cron() or at() expression: {expr!r}"]


@pytest.mark.parametrize(
    "expr, ok",
    [
        ("rate(15 minutes)", True),
        ("rate(1 hour)", True),
        ("cron(0 * * * ? *)", True),
        ("rate(1 hours)", False),
        ("rate(15 minute)", False),
        ("rate(0 minutes)", False),
        ("cron(0 * * * *)", False),  # 5-field unix cron
        ("cron(0 * * * * *)", False),  # neither day field is '?'
        ("every 15 minutes", False),
    ],
)
def test_schedule_expression_checker(expr, ok):
    assert (schedule_expression_errors(expr) == []) == ok


def test_scheduler_schedules(sam):
    events = events_of(sam, "SchedulerFunction", "ScheduleV2")
    jobs = {}
    for name, props in events.items():
        expr = props["ScheduleExpression"]
        assert schedule_expression_errors(expr) == [], (name, expr)
        jobs[json.loads(props["Input"])["job"]] = expr
    assert jobs == {"register_reminders": "rate(15 minutes)", "reconcile": "rate(1 hour)"}


def test_expanded_schedules_invoke_the_scheduler(cfn):
    schedules = resources_of(cfn, "AWS::Scheduler::Schedule")
    inputs = set()
    for res in schedules.values():
        target = res["Properties"]["Target"]
        assert target["Arn"] == getatt("SchedulerFunction", "Arn")
        inputs.add(json.loads(target["Input"])["job"])
    assert inputs == {"register_reminders", "reconcile"}


# ------------------------------------------------------------------ KMS


def test_credentials_key_is_customer_managed_with_rotation(sam):
    key = sam["Resources"]["CredentialsKey"]
    assert key["Type"] == "AWS::KMS::Key"
    props = key["Properties"]
    assert props["EnableKeyRotation"] is True
    assert props.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    # The account root must stay able to administer the key, or it becomes unmanageable.
    principals = [s.get("Principal", {}).get("AWS") for s in props["KeyPolicy"]["Statement"]]
    assert {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"} in principals


# ------------------------------------------------------------------ least privilege
#
# Permissions are read from the expanded template, so whatever SAM would attach on its own
# (managed policies, event-source policies) is seen too. Each resource an IAM statement names is
# turned into a label; the expected grant per function is listed exactly, so both a missing and an
# extra permission fail.

TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
TABLE_CONDITION = ["dynamodb:ConditionCheckItem"]
TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
TABLE_DELETE = ["dynamodb:DeleteItem"]
SECRET_ARN = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${AppSecretsName}-??????"
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _grants(actions, *resources):
    return {(a, r) for a in actions for r in resources}


def _table(*action_lists):
    return _grants([a for lst in action_lists for a in lst], "table", "table-indexes")


COMMON = _grants(["logs:CreateLogStream", "logs:PutLogEvents"], "own-log-group") | _grants(XRAY_ACTIONS, "*")
SEND = _grants(["sqs:SendMessage"], "jobs-queue")
DECRYPT = _grants(["kms:Decrypt"], "credentials-key")
SECRETS = _grants(["secretsmanager:GetSecretValue"], "app-secrets")

EXPECTED_GRANTS = {
    "ActivateFunction": COMMON
    | _table(TABLE_READ, TABLE_CONDITION, TABLE_WRITE, TABLE_DELETE)
    | _grants(["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"], "credentials-key")
    | SECRETS,
    "WebhookFunction": COMMON
    | _table(["dynamodb:GetItem", "dynamodb:Query"], TABLE_CONDITION, TABLE_WRITE)
    | SEND
    | DECRYPT
    | SECRETS,
    "WorkerFunction": COMMON
    | _table(TABLE_READ, TABLE_CONDITION, TABLE_WRITE, TABLE_DELETE)
    | SEND
    | _grants(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "jobs-queue")
    | _grants(["sqs:ChangeMessageVisibility"], "jobs-queue")  # retry backoff
    | DECRYPT
    | SECRETS,
    "SchedulerFunction": COMMON | _table(TABLE_READ, TABLE_WRITE) | SEND,
    "ApiFunction": COMMON
    | _table(TABLE_READ, TABLE_CONDITION, TABLE_WRITE, TABLE_DELETE)
    | SEND
    | DECRYPT
    | SECRETS,
}


def _resource_label(resource: Any, own_log_group: Any) -> str:
    if resource == "*":
        return "*"
    if resource == own_log_group:
        return "own-log-group"
    known = {
        json.dumps(getatt("Table", "Arn")): "table",
        json.dumps({"Fn::Sub": "${Table.Arn}/index/*"}): "table-indexes",
        json.dumps(getatt("JobsQueue", "Arn")): "jobs-queue",
        json.dumps(getatt("CredentialsKey", "Arn")): "credentials-key",
        json.dumps({"Fn::Sub": SECRET_ARN}): "app-secrets",
    }
    return known.get(json.dumps(resource, sort_keys=True), f"unexpected:{json.dumps(resource)}")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _role_of(cfn: dict[str, Any], fn: str) -> tuple[str, dict[str, Any]]:
    role_ref = cfn["Resources"][fn]["Properties"]["Role"]
    name = role_ref["Fn::GetAtt"][0]
    return name, cfn["Resources"][name]["Properties"]


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in role.get("Policies", []) for s in _as_list(p["PolicyDocument"]["Statement"])]


def function_grants(cfn: dict[str, Any], fn: str) -> set[tuple[str, str]]:
    _, role = _role_of(cfn, fn)
    log_group = cfn["Resources"][fn]["Properties"]["LoggingConfig"]["LogGroup"]
    assert log_group.keys() == {"Ref"}, fn
    own_log_group = getatt(log_group["Ref"], "Arn")
    grants = set()
    for st in _statements(role):
        assert st["Effect"] == "Allow", (fn, st)
        assert "NotAction" not in st and "NotResource" not in st, (fn, st)
        for action in _as_list(st["Action"]):
            for resource in _as_list(st["Resource"]):
                grants.add((action, _resource_label(resource, own_log_group)))
    return grants


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_function_grants_are_exactly_what_it_uses(cfn, fn):
    actual = function_grants(cfn, fn)
    expected = EXPECTED_GRANTS[fn]
    assert actual == expected, {"extra": sorted(actual - expected), "missing": sorted(expected - actual)}


def test_each_function_has_its_own_role_and_no_managed_policies(cfn):
    roles = {}
    for fn in FUNCTIONS:
        name, role = _role_of(cfn, fn)
        roles[fn] = name
        # SAM's defaults (AWSLambdaBasicExecutionRole, AWSLambdaSQSQueueExecutionRole) grant on "*".
        assert not role.get("ManagedPolicyArns"), (fn, role.get("ManagedPolicyArns"))
        principals = [s["Principal"] for s in role["AssumeRolePolicyDocument"]["Statement"]]
        assert principals == [{"Service": "lambda.amazonaws.com"}], fn
    assert len(set(roles.values())) == len(FUNCTIONS)


def test_scheduler_has_no_kms_and_no_secrets(cfn):
    services = {action.split(":")[0] for action, _ in function_grants(cfn, "SchedulerFunction")}
    assert "kms" not in services
    assert "secretsmanager" not in services


def test_webhook_cannot_delete_from_the_table(cfn):
    actions = {action for action, _ in function_grants(cfn, "WebhookFunction")}
    assert not actions & {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteTable"}
    assert not any(a.startswith("dynamodb:") and "*" in a for a in actions)


def test_only_xray_uses_a_wildcard_resource_and_no_action_is_a_wildcard(cfn):
    for name, role in resources_of(cfn, "AWS::IAM::Role").items():
        for st in _statements(role["Properties"]):
            actions = set(_as_list(st["Action"]))
            assert not any("*" in a for a in actions), (name, st)
            if "*" in _as_list(st["Resource"]):
                # X-Ray's write actions have no resource-level permissions; nothing else may use "*".
                assert actions <= XRAY_ACTIONS, (name, st)


def test_schedule_roles_may_only_invoke_the_scheduler(cfn):
    schedules = resources_of(cfn, "AWS::Scheduler::Schedule")
    assert schedules
    for res in schedules.values():
        role_name = res["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
        role = cfn["Resources"][role_name]["Properties"]
        assert not role.get("ManagedPolicyArns")
        for st in _statements(role):
            assert _as_list(st["Action"]) == ["lambda:InvokeFunction"], st
            assert _as_list(st["Resource"]) == [getatt("SchedulerFunction", "Arn")], st


# ------------------------------------------------------------------ outputs


def test_outputs(sam):
    outputs = {k: v["Value"] for k, v in sam["Outputs"].items()}
    values = [json.dumps(v) for v in outputs.values()]
    assert any("${HttpApi}.execute-api" in v for v in values), "HTTP API URL"
    assert {"Ref": "JobsQueue"} in outputs.values()
    assert {"Ref": "JobsDeadLetterQueue"} in outputs.values()
    assert {"Ref": "Table"} in outputs.values()
