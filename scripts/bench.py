"""make bench: how close `lzctl plan` on a large organization comes to the floor that AWS's
published API rates set.

It seeds the emulator with an organization of --ous OUs, --accounts accounts and --policies SCPs,
writes the blueprint that describes it exactly, and runs `lzctl plan --stats` at the real,
published pace (LZCTL_RATE_SCALE unset). lzctl reports, per API, the least time its calls can
take at that pace; the largest is the floor of the run. The target: the wall time stays within
--max-ratio of the floor (plus a second for start-up), and the plan is "No changes."
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import boto3

sys.path.insert(0, os.path.dirname(__file__))
import emulator  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seed(url: str, ous: int, accounts: int, policies: int) -> dict:
    org = boto3.client("organizations", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    tops = max(1, ous // 10)
    tree = {}
    paths = []
    for t in range(tops):
        name = f"Dept{t:02d}"
        top = org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
        tree[name] = {"id": top, "children": {}}
        paths.append((name, top))
        for c in range(ous // tops - 1):
            child = f"Team{c}"
            cid = org.create_organizational_unit(ParentId=top, Name=child)["OrganizationalUnit"]["Id"]
            tree[name]["children"][child] = cid
            paths.append((f"{name}/{child}", cid))
    account_rows = []
    for i in range(accounts):
        path, ou_id = paths[i % len(paths)]
        email = f"acct-{i:04d}@example.com"
        status = org.create_account(Email=email, AccountName=f"acct-{i:04d}")["CreateAccountStatus"]
        account_id = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=ou_id)
        account_rows.append((f"acct-{i:04d}", email, path))
    attachments = {}
    for p in range(policies):
        name = f"scp-{p:02d}"
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": f"svc{p}:*", "Resource": "*"}]}
        pid = org.create_policy(Name=name, Description=name, Type="SERVICE_CONTROL_POLICY",
                                Content=json.dumps(doc))["Policy"]["PolicySummary"]["Id"]
        path, ou_id = paths[p % len(paths)]
        org.attach_policy(PolicyId=pid, TargetId=ou_id)
        attachments.setdefault(path, []).append((name, doc))
    return {"tree": tree, "accounts": account_rows, "attachments": attachments}


def blueprint(seeded: dict) -> str:
    lines = ["version: 1", "organizational_units:"]
    policies = {}

    def ou_lines(path, indent):
        names = [n for n, _ in seeded["attachments"].get(path, [])]
        for n, doc in seeded["attachments"].get(path, []):
            policies[n] = doc
        return f"{' ' * indent}policies: [{', '.join(names)}]" if names else None

    for top, node in seeded["tree"].items():
        lines.append(f"  {top}:")
        own = ou_lines(top, 4)
        if own:
            lines.append(own)
        lines.append("    children:")
        for child in node["children"]:
            own = ou_lines(f"{top}/{child}", 8)
            lines.append(f"      {child}:" + ("" if own else " {}"))
            if own:
                lines.append(own)
    lines.append("accounts:")
    for key, email, path in seeded["accounts"]:
        lines.append(f"  {key}: {{email: {email}, ou: {path}}}")
    lines.append("policies:")
    for name, doc in sorted(policies.items()):
        lines.append(f"  {name}: {{description: {name}, document: {json.dumps(doc)}}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ous", type=int, default=100)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--policies", type=int, default=50)
    parser.add_argument("--max-ratio", type=float, default=1.25)
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix="lzctl-bench-")
    url = emulator.start_server(state)
    try:
        started = time.monotonic()
        seeded = seed(url, args.ous, args.accounts, args.policies)
        print(f"seeded {args.ous} OUs, {args.accounts} accounts, {args.policies} SCPs in {time.monotonic() - started:.1f}s")
        path = os.path.join(state, "bench.yaml")
        with open(path, "w") as f:
            f.write(blueprint(seeded))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "LZCTL_RATE_SCALE"}
        env.update(AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench",
                   AWS_SECRET_ACCESS_KEY="bench", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
        out = subprocess.run([os.path.join(ROOT, "target/debug/lzctl"), "plan", "-f", path, "--stats"],
                             env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"lzctl plan failed:\n{out.stderr}")
        stats = [line for line in out.stderr.splitlines() if line.startswith("stats:")]
        print("\n".join(stats))
        total = re.search(r"wall_ms=(\d+) floor_ms=(\d+)", stats[-1])
        wall, floor = int(total.group(1)), int(total.group(2))
        allowed = floor * args.max_ratio + 1000
        verdict = "ok" if wall <= allowed and out.stdout.strip() == "No changes." else "MISSED"
        print(f"\nplan of {args.accounts} accounts / {args.ous} OUs / {args.policies} SCPs: "
              f"wall {wall / 1000:.1f}s, floor {floor / 1000:.1f}s (published rates), "
              f"target <= {allowed / 1000:.1f}s: {verdict}; plan said {out.stdout.strip().splitlines()[-1]!r}")
        if verdict != "ok":
            sys.exit(1)
    finally:
        emulator.stop(state)


if __name__ == "__main__":
    main()
