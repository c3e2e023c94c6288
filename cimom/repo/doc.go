// Package repo is Ferrum's class repository: the CIM namespaces, each with
// its qualifier declarations and its classes, flattened at insertion so that
// lookups never walk a superclass chain. It answers the schema questions the
// dispatcher asks on every operation — does this class exist, what are its
// keys, which classes derive from it — from memory, under a read lock.
package repo
