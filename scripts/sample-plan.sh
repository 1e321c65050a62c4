#!/usr/bin/env bash
# Regenerates the README's sample plan from a real run: the landing zone applied to the local
# emulator, then a pull request's edits (a session shortened, AdministratorAccess added, an SCP
# widened, a tag changed and its value allowed by the tag policy, a stack-set parameter changed, an OU renamed, an account added) and an
# assignment made by hand, planned. Prints the human plan; `--format markdown` passes through.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
LZCTL=${LZCTL:-target/debug/lzctl}
work=$(mktemp -d)
url=$("$PY" scripts/emulator.py start --state-dir "$work/emulator")
trap '"$PY" scripts/emulator.py stop --state-dir "$work/emulator"; rm -rf "$work"' EXIT

export AWS_ENDPOINT_URL="$url" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export LZCTL_RATE_SCALE=10 LZCTL_ASSIGNMENT_READ=per-principal
# The emulator has no backup or declarative policies: left out, as `make demo` does.
export LZCTL_EXCLUDE=policy.production-backup,organization_setting.policy_type/DECLARATIVE_POLICY_EC2

"$PY" scripts/emulator.py create-org --url "$url" >/dev/null
"$PY" scripts/emulator.py seed-identity --url "$url" >/dev/null
cp -r blueprints "$work/pr"
"$LZCTL" apply -f "$work/pr/landing-zone.yaml" --auto-approve >/dev/null 2>&1

# The pull request.
"$PY" - "$work/pr" <<'PY'
import json, sys, pathlib
root = pathlib.Path(sys.argv[1])
bp = root / "landing-zone.yaml"
text = bp.read_text()
for old, new in [
    ("      session_duration: PT8H\n", "      session_duration: PT4H\n"),
    ("      managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]\n",
     "      managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess, arn:aws:iam::aws:policy/AdministratorAccess]\n"),
    ("    name: Prod Web\n    tags: {owner: web-team, cost-center: \"1234\"}\n",
     "    name: Prod Web\n    tags: {owner: web-team, cost-center: \"2040\"}\n"),
    ("parameters: {DeliveryBucketName: lz-config-logs, HomeRegion: us-east-1}",
     "parameters: {DeliveryBucketName: lz-config-logs, HomeRegion: eu-west-1}"),
    ("  Maintenance: {}\n", "  Quarantine: {renamed_from: Maintenance}\n"),
    ("accounts:\n", "accounts:\n  data-lake:\n    email: aws+data-lake@example.com\n    ou: Foundational/Workloads/Production\n    name: Data Lake\n"),
]:
    assert old in text, old
    text = text.replace(old, new, 1)
bp.write_text(text)
tags = root / "policies" / "tag-cost-center.json"
tag_policy = json.loads(tags.read_text())
tag_policy["tags"]["cost-center"]["tag_value"]["@@assign"].insert(1, "2040")
tags.write_text(json.dumps(tag_policy, indent=2) + "\n")
policy = root / "policies" / "protect-critical-operations.json"
doc = json.loads(policy.read_text())
doc["Statement"][0]["Action"].append("ec2:DeleteTransitGateway")
policy.write_text(json.dumps(doc, indent=2) + "\n")
PY

# Access made by hand: a user given AdministratorAccess in prod-web from the console.
"$PY" - "$url" <<'PY'
import sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1")
sso, ids, org = boto3.client("sso-admin", **kw), boto3.client("identitystore", **kw), boto3.client("organizations", **kw)
instance = sso.list_instances()["Instances"][0]
store = instance["IdentityStoreId"]
user = ids.create_user(IdentityStoreId=store, UserName="contractor", DisplayName="Contractor",
                       Name={"GivenName": "C", "FamilyName": "Tor"})["UserId"]
ps = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name="BreakGlass", Description="made in the console",
                               SessionDuration="PT12H")["PermissionSet"]["PermissionSetArn"]
account = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Email"] == "aws+prod-web@example.com")
sso.create_account_assignment(InstanceArn=instance["InstanceArn"], TargetId=account, TargetType="AWS_ACCOUNT",
                              PermissionSetArn=ps, PrincipalType="USER", PrincipalId=user)
PY

"$LZCTL" plan -f "$work/pr/landing-zone.yaml" --no-color "$@"
