// Package providers holds Ferrum's CIM providers, one sub-package per
// profile area. Each maps CIM classes onto the state it manages — the
// manager's own (interop) or a backend's, reached only through the backends
// interfaces — and registers with the dispatcher for the classes it serves.
package providers
