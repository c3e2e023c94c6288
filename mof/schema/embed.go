// Package schema holds the MOF files that define the classes Ferrum serves.
//
// Two namespaces are built from them. VirtRoot (root/virt) holds the system
// virtualization classes: virtual systems, their settings and devices, resource
// pools, snapshots, migration, jobs and metrics. InteropRoot (root/interop) holds
// profile registration, indication filters, listener destinations and
// subscriptions, the object manager and its namespaces, and identities and roles.
//
// Each root file includes qualifiers.mof first and then one file per class, in
// dependency order. The CIM_ classes under cim/ have exactly the interface of the
// DMTF CIM Schema 2.49 Final (the migration classes: 2.51 Experimental) with
// Ferrum's own descriptions; the Ferrum_ classes under ferrum/ are the concrete
// subclasses that Ferrum's providers serve. Include paths are relative to the
// file that contains the #pragma include, and all files are in FS.
package schema

import "embed"

// FS holds qualifiers.mof, the two root files, cim/*.mof and ferrum/*.mof.
//
//go:embed *.mof cim/*.mof ferrum/*.mof
var FS embed.FS

const (
	// VirtRoot is the root MOF file of the root/virt namespace.
	VirtRoot = "root_virt.mof"
	// InteropRoot is the root MOF file of the root/interop namespace.
	InteropRoot = "root_interop.mof"
	// Qualifiers is the file of qualifier declarations both roots include first.
	Qualifiers = "qualifiers.mof"
)

// Namespace names served from the two roots.
const (
	VirtNamespace    = "root/virt"
	InteropNamespace = "root/interop"
)
