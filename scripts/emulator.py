"""The local AWS emulator (moto server) for `make demo`: start it on a free loopback port,
create an organization in it, stop it. Tests start their own servers from Rust."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import boto3

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the emulator did not answer at {url} within {seconds:.0f}s")


def start_server(state_dir: str) -> str:
    os.makedirs(state_dir, exist_ok=True)
    port = free_port()
    url = f"http://{HOST}:{port}"
    server = os.path.join(os.path.dirname(sys.executable), "moto_server")
    log = open(os.path.join(state_dir, "moto.log"), "w")
    proc = subprocess.Popen([server, "-H", HOST, "-p", str(port)], stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(state_dir, "moto.pid"), "w") as f:
        f.write(str(proc.pid))
    wait_ready(url)
    return url


def stop(state_dir: str) -> None:
    pid_file = os.path.join(state_dir, "moto.pid")
    try:
        with open(pid_file) as f:
            pid = int(f.read())
        os.killpg(pid, signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    finally:
        if os.path.exists(pid_file):
            os.remove(pid_file)


def create_org(url: str) -> None:
    org = boto3.client("organizations", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    out = org.create_organization(FeatureSet="ALL")["Organization"]
    print(f"organization {out['Id']} created; management account {out['MasterAccountId']}")


# The demo's people. In real life they come from an identity provider (SCIM); lzctl only
# reads them, so the demo creates them in the emulator's identity store first.
DEMO_GROUPS = {
    "Platform-Admins": ["alice"],
    "Developers": ["bob", "erin"],
    "Auditors": ["carol"],
    "Finance": ["dave"],
}


def seed_identity(url: str) -> None:
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    sso = boto3.client("sso-admin", **kw)
    store = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    ids = boto3.client("identitystore", **kw)
    users = {}
    for group, members in DEMO_GROUPS.items():
        group_id = ids.create_group(IdentityStoreId=store, DisplayName=group)["GroupId"]
        for user in members:
            if user not in users:
                users[user] = ids.create_user(
                    IdentityStoreId=store, UserName=user, DisplayName=user.title(),
                    Name={"GivenName": user.title(), "FamilyName": "Example"},
                    Emails=[{"Value": f"{user}@example.com", "Type": "work", "Primary": True}],
                )["UserId"]
            ids.create_group_membership(IdentityStoreId=store, GroupId=group_id, MemberId={"UserId": users[user]})
    print(f"identity store {store}: groups {', '.join(DEMO_GROUPS)}; users {', '.join(users)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "create-org", "seed-identity"])
    parser.add_argument("--state-dir", default=".demo")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.command == "start":
        print(start_server(args.state_dir))
    elif args.command == "stop":
        stop(args.state_dir)
    elif args.command == "seed-identity":
        seed_identity(args.url)
    else:
        create_org(args.url)


if __name__ == "__main__":
    main()
