// Package store is Ferrum's embedded persistent store: one SQLite file
// (modernc.org/sqlite, pure Go) holding the instances of classes that have
// no provider, the classes, qualifier declarations and namespaces created at
// runtime, users, and settings.
//
// # Durability
//
// The file runs in WAL journal mode with synchronous=FULL. In WAL mode a
// commit appends to the -wal file; with synchronous=NORMAL that append is
// not fsynced, so a successful commit survives a crash of the process (the
// data is in the OS page cache) but the last commits can be lost on power
// loss or an OS crash — the file stays consistent, it just rolls back in
// time. Ferrum promises that nothing it accepted is lost once a call has
// returned, so it pays for one fsync of the WAL per write transaction and
// uses FULL. Checkpoints copy the WAL into the main file and fsync it; a
// crash at any point leaves a file that SQLite recovers to the last
// committed transaction. Every change of more than one statement (a
// migration step, DeleteNamespace) is one transaction.
//
// # Connections
//
// Writes use one connection whose transactions begin IMMEDIATE, so writers
// queue in Go instead of retrying on SQLITE_BUSY; reads use a pool of
// query_only connections that WAL lets run beside the writer, each seeing
// the last committed state when its statement starts. Every connection has
// foreign keys on and a busy timeout for the locks another process (a
// second Ferrum, the sqlite3 shell) may hold.
//
// # Schema
//
// The schema is versioned by the schema_migrations table: Open applies each
// missing step of an ordered list (migrations.go) in a transaction of its
// own, and refuses with ErrSchemaTooNew a file that a newer build has
// migrated further. Later tables (jobs, subscriptions) are added by
// appending steps to that list.
//
// # Records
//
// Instances, object paths, classes and qualifier declarations are stored as
// records of a compact binary format (codec.go): lossless for every CIM
// type, including float bit patterns, nil versus empty lists, qualifier
// flavors and nested references and embedded instances. Namespace and class
// keys are stored lower-cased beside the records, which keep the original
// spelling.
package store
