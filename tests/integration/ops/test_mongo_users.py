"""MongoDB least privilege under compose: the projector and the query service connect as users of their
own (deploy/mongo/10-service-users.js), the other services get no MongoDB URL, and no service gets the
root user. The script itself runs in Node against a recording stand-in for mongosh's `db` (no mongod on
this machine): it makes the reader role and both users, is idempotent, and refuses a missing password."""

from __future__ import annotations

import json
import shutil
import subprocess

from ops.repo import ROOT, services

SCRIPT = ROOT / "deploy" / "mongo" / "10-service-users.js"
NODE = shutil.which("node")

# A mongosh-like `db` whose calls are recorded; users and roles made are remembered, so a second run of
# the script in the same process sees them (as on a volume made before).
HARNESS = """
const fs = require("fs");
const calls = [];
const users = new Set(JSON.parse(process.env.EXISTING || "[]"));
const roles = new Set(users.size ? ["innkeeper_reader"] : []);
const readModel = {
  getUser: (name) => (users.has(name) ? { user: name } : null),
  getRole: (name) => (roles.has(name) ? { role: name } : null),
  createUser: (spec) => { users.add(spec.user); calls.push(["createUser", spec]); },
  updateUser: (name, spec) => calls.push(["updateUser", name, spec]),
  createRole: (spec) => { roles.add(spec.role); calls.push(["createRole", spec]); },
  updateRole: (name, spec) => calls.push(["updateRole", name, spec]),
};
const db = { getSiblingDB: (name) => { calls.push(["getSiblingDB", name]); return readModel; } };
try {
  new Function("db", "process", fs.readFileSync(process.argv[1], "utf8"))(db, process);
  console.log(JSON.stringify({ calls }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error.message) }));
}
"""


def run_script(existing: list[str] | None = None, **env: str) -> dict[str, object]:
    assert NODE is not None, "Node runs the script's test (make contracts-check needs it too)"
    environment = {"PATH": "/usr/bin:/bin", "EXISTING": json.dumps(existing or []), **env}
    done = subprocess.run(
        [NODE, "-e", HARNESS, str(SCRIPT)], env=environment, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


PASSWORDS = {"MONGO_PROJECTOR_PASSWORD": "p-secret", "MONGO_QUERY_SERVICE_PASSWORD": "q-secret"}


def test_a_new_volume_gets_the_reader_role_and_one_user_per_service() -> None:
    calls = run_script(**PASSWORDS, MONGODB_DATABASE="stays")["calls"]
    assert ["getSiblingDB", "stays"] in calls
    role = next(call[1] for call in calls if call[0] == "createRole")
    assert role["role"] == "innkeeper_reader"
    (privilege,) = role["privileges"]
    assert privilege["resource"] == {"db": "stays", "collection": ""}
    assert set(privilege["actions"]) == {"find", "listCollections", "listIndexes", "createIndex"}
    made = {call[1]["user"]: call[1] for call in calls if call[0] == "createUser"}
    assert made["innkeeper-projector"]["roles"] == [{"role": "readWrite", "db": "stays"}]
    assert made["innkeeper-projector"]["pwd"] == "p-secret"
    assert made["innkeeper-query-service"]["roles"] == [{"role": "innkeeper_reader", "db": "stays"}]
    assert made["innkeeper-query-service"]["pwd"] == "q-secret"
    assert set(made) == {"innkeeper-projector", "innkeeper-query-service"}


def test_run_again_it_updates_passwords_and_grants_instead_of_failing() -> None:
    existing = ["innkeeper-projector", "innkeeper-query-service"]
    calls = run_script(existing, **PASSWORDS)["calls"]
    kinds = [call[0] for call in calls]
    assert "createUser" not in kinds
    assert "createRole" not in kinds
    assert kinds.count("updateUser") == 2
    assert kinds.count("updateRole") == 1
    assert ["getSiblingDB", "innkeeper"] in calls  # the default database


def test_a_missing_password_stops_the_script_naming_it() -> None:
    answer = run_script(MONGO_PROJECTOR_PASSWORD="p-secret")
    assert "MONGO_QUERY_SERVICE_PASSWORD is not set" in str(answer["error"])


def test_only_the_read_store_services_connect_each_as_its_own_user() -> None:
    urls = {
        name: str((service.get("environment") or {}).get("MONGODB_URL", ""))
        for name, service in services().items()
    }
    assert urls["projector"].startswith("mongodb://innkeeper-projector:${MONGO_PROJECTOR_PASSWORD:?")
    assert urls["query-service"].startswith(
        "mongodb://innkeeper-query-service:${MONGO_QUERY_SERVICE_PASSWORD:?"
    )
    for name in ("projector", "query-service"):
        assert "authSource=${MONGODB_DATABASE:-innkeeper}" in urls[name], name
    assert not {name for name, url in urls.items() if url and name not in ("projector", "query-service")}
    assert not any("MONGO_PASSWORD" in url or "MONGO_USER" in url for url in urls.values())


def test_the_mongo_service_runs_the_script_on_a_new_volume_with_the_passwords() -> None:
    mongo = services()["mongo"]
    assert (
        "./deploy/mongo/10-service-users.js:/docker-entrypoint-initdb.d/10-service-users.js:ro"
        in (mongo["volumes"])
    )
    for name in PASSWORDS:
        assert str(mongo["environment"][name]).startswith(f"${{{name}:?")
