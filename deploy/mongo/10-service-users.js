// Least-privilege MongoDB users for the two services that use the read store, made by the mongo image's
// entrypoint once, when the data directory is empty (mounted into /docker-entrypoint-initdb.d; it runs
// as the root user, whose credentials only operators hold). Idempotent: run it again on a volume made
// before, or to change a password (docs/operations.md, "MongoDB users").
//   innkeeper-projector      readWrite on the read model's database: documents, checkpoints, parked
//                            events, the blue/green generations it creates and drops on a rebuild.
//   innkeeper-query-service  innkeeper_reader: reads, and ensures the indexes its queries need on a new
//                            generation (createIndex); it cannot change or drop a document.
const database = process.env.MONGODB_DATABASE || "innkeeper";
const readModel = db.getSiblingDB(database);

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the mongo service needs it to create its user`);
  return value;
}

function ensureUser(user, pwd, roles) {
  if (readModel.getUser(user)) readModel.updateUser(user, { pwd, roles });
  else readModel.createUser({ user, pwd, roles });
}

const readerPrivileges = [
  {
    resource: { db: database, collection: "" },
    actions: ["find", "listCollections", "listIndexes", "createIndex"],
  },
];
if (readModel.getRole("innkeeper_reader")) {
  readModel.updateRole("innkeeper_reader", { privileges: readerPrivileges, roles: [] });
} else {
  readModel.createRole({ role: "innkeeper_reader", privileges: readerPrivileges, roles: [] });
}
ensureUser("innkeeper-projector", required("MONGO_PROJECTOR_PASSWORD"), [
  { role: "readWrite", db: database },
]);
ensureUser("innkeeper-query-service", required("MONGO_QUERY_SERVICE_PASSWORD"), [
  { role: "innkeeper_reader", db: database },
]);
