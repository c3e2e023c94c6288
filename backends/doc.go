// Package backends is the contract between Ferrum's CIM providers and the
// hypervisors they manage.
//
// A Host is one virtualized node as the manager sees it: its hardware
// inventory, its virtual servers (VMManager), its storage pools and volumes
// (StorageManager), its virtual switches (SwitchManager), its statistics and
// its event stream. Optional abilities are separate small interfaces checked
// with a type assertion, as net/http checks for http.Flusher: a Host that can
// move virtual servers to another Host also implements Migrator.
//
// Every call that may block takes a context.Context first. Failures carry
// their meaning in the sentinel errors of this package (ErrNotFound,
// ErrConflict, ErrInsufficientResources, ...), tested with errors.Is, never by
// comparing strings. The data types are backend-neutral: an implementation
// translates them to libvirt XML, agent RPC messages or simulator state.
//
// Implementations live in sub-packages (backends/sim is the in-process data
// center simulator) and prove themselves with the conformance suite in
// backends/backendtest.
package backends
