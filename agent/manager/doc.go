// Package manager is the manager's node registry: it listens for
// ferrum-agent connections (TLS, default :5990), enrols nodes with one-time
// join tokens and its internal CA, admits only enrolled, unrevoked nodes
// over mutual TLS 1.3, tracks their liveness from heartbeats (alive;
// suspect after SuspectAfter missed heartbeats; dead after DeadAfter),
// notifies watchers of every change, and hands the providers a
// backends.Host per node (Hosts, Host).
//
// Enrolled nodes and revocations persist through a Store; MemStore and
// FileStore are provided, and ferrumd backs it with its SQLite database.
package manager
