// Package cim is Ferrum's CIM object model: the typed values, datetimes, object
// paths, qualifiers, classes and instances defined by DSP0004, independent of
// any protocol. Names are case-insensitive and case-preserving throughout:
// lookups fold case, stored names keep the spelling they were given.
//
// The package has no knowledge of providers, storage or wire formats; the MOF
// compiler, the class repository, the dispatcher and the protocol bindings all
// speak in these types.
package cim
