package store

// migrations is the schema's history, oldest first: step i has version
// i+1. To change the schema, append a step — never edit or reorder one that
// has shipped, since databases in the field have recorded it as applied.
// A step gets its own transaction (with the write lock held) and should only
// create, alter or copy; for a step with Go logic, write a
// func(ctx, *sql.Tx) error in a file of its own (migrate_0004_jobs.go, …)
// and list it here. Data written by the older steps must survive: add a case
// to TestMigrateForward that writes data at the previous version.
var migrations = []migration{
	{"namespaces and instances", execAll(
		// Namespaces created at runtime. key is the lower-cased name
		// (trimmed of slashes), name its original spelling.
		`CREATE TABLE namespaces (
			seq  INTEGER PRIMARY KEY,
			key  TEXT NOT NULL UNIQUE,
			name TEXT NOT NULL
		)`,
		// Instances of classes that have no provider. ns is the
		// lower-cased namespace, class the lower-cased class name, key the
		// canonical path without namespace; seq (the rowid) gives creation
		// order. path and data are the records of the original path and
		// of the instance (see codec.go).
		`CREATE TABLE instances (
			seq   INTEGER PRIMARY KEY,
			ns    TEXT NOT NULL,
			class TEXT NOT NULL,
			key   TEXT NOT NULL,
			path  BLOB NOT NULL,
			data  BLOB NOT NULL,
			UNIQUE (ns, key)
		)`,
		`CREATE INDEX instances_by_class ON instances (ns, class)`,
	)},
	{"classes and qualifier declarations", execAll(
		// Class declarations created at runtime, unflattened. key is the
		// lower-cased name; seq keeps first-creation order across upserts.
		`CREATE TABLE classes (
			seq  INTEGER PRIMARY KEY,
			ns   TEXT NOT NULL,
			key  TEXT NOT NULL,
			data BLOB NOT NULL,
			UNIQUE (ns, key)
		)`,
		`CREATE TABLE qualifier_decls (
			seq  INTEGER PRIMARY KEY,
			ns   TEXT NOT NULL,
			key  TEXT NOT NULL,
			data BLOB NOT NULL,
			UNIQUE (ns, key)
		)`,
	)},
	{"users and settings", execAll(
		// Users for authentication. name is case-sensitive (BINARY
		// collation); roles is a JSON array; times are RFC 3339 UTC with
		// nanoseconds.
		`CREATE TABLE users (
			name          TEXT PRIMARY KEY,
			password_hash TEXT NOT NULL,
			roles         TEXT NOT NULL,
			disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
			created       TEXT NOT NULL,
			updated       TEXT NOT NULL
		) WITHOUT ROWID`,
		`CREATE TABLE settings (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		) WITHOUT ROWID`,
	)},
}
