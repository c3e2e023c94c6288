// Package interop serves Ferrum's root/interop namespace: the object
// manager, its namespaces and communication mechanisms, and DSP1033 profile
// registration — RegisteredProfile, ReferencedProfile and the
// ElementConformsToProfile links from each profile to its central instances,
// resolvable from root/interop and root/virt alike, so that a client can
// discover everything Ferrum implements starting from root/interop alone.
package interop

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A Profile is a management profile Ferrum implements.
type Profile struct {
	ID           string // unique and stable, e.g. "DSP1042"; part of the InstanceID
	Organization uint16 // RegisteredOrganization: 2 = DMTF
	Name         string // RegisteredName, e.g. "System Virtualization"
	Version      string // RegisteredVersion, "M.N.U"
	References   []string
	// Central returns the paths of the profile's central instances, with
	// their namespaces. Nil means none (a component profile scoped through
	// its autonomous profile).
	Central func(ctx context.Context) ([]cim.ObjectPath, error)
	// CentralClasses, when set, names the classes the central instances
	// belong to (or derive from), so that association traversal from an
	// element of another class skips the profile without listing them.
	CentralClasses []string
}

// Config describes the object manager.
type Config struct {
	Host    string // the management server's host name (SystemName)
	Version string // Ferrum's version
}

// Provider serves the interop classes. Other provider packages add the
// profiles they implement with AddProfile.
type Provider struct {
	d   *cimom.Dispatcher
	cfg Config

	mu       sync.RWMutex
	profiles []Profile
}

// Register creates the provider, registers it with d for its classes and
// adds DSP1033 Profile Registration itself.
func Register(d *cimom.Dispatcher, cfg Config) (*Provider, error) {
	p := &Provider{d: d, cfg: cfg}
	in := cimom.InteropNamespace
	classes := map[string]instancesFunc{
		"Ferrum_ObjectManager":                      p.objectManagers,
		"Ferrum_Namespace":                          p.namespaces,
		"Ferrum_NamespaceInManager":                 p.namespaceInManager,
		"Ferrum_CIMXMLCommunicationMechanism":       p.cimxmlMechanisms,
		"Ferrum_WSManagementCommunicationMechanism": p.wsmanMechanisms,
		"Ferrum_CommMechanismForManager":            p.commMechanismForManager,
		"Ferrum_ReferencedProfile":                  p.referencedProfiles,
	}
	for class, fn := range classes {
		if _, err := d.Repo.Class(in, class); err != nil {
			return nil, fmt.Errorf("interop provider: %w", err)
		}
		d.Providers.Handle(in, class, fn)
	}
	d.Providers.Handle(in, "Ferrum_ElementConformsToProfile", conformsProvider{instancesFunc(p.conformsToProfile), p})
	d.Providers.Handle(in, "Ferrum_RegisteredProfile", profileMethods{instancesFunc(p.registeredProfiles), p})
	d.Providers.Handle(cimom.VirtNamespace, "Ferrum_ElementConformsToProfile", conformsProvider{instancesFunc(p.conformsToProfile), p})
	p.AddProfile(Profile{
		ID: "DSP1033", Organization: 2, Name: "Profile Registration", Version: "1.0.0",
		Central: func(context.Context) ([]cim.ObjectPath, error) {
			return []cim.ObjectPath{p.objectManagerPath()}, nil
		},
		CentralClasses: []string{"CIM_ObjectManager"},
	})
	return p, nil
}

// AddProfile registers a profile Ferrum implements; a profile with the same
// ID replaces the earlier one.
func (p *Provider) AddProfile(prof Profile) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.profiles = slices.DeleteFunc(p.profiles, func(x Profile) bool { return x.ID == prof.ID })
	p.profiles = append(p.profiles, prof)
}

// Profiles returns the registered profiles.
func (p *Provider) Profiles() []Profile {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.profiles)
}

func (p *Provider) profile(id string) (Profile, bool) {
	for _, prof := range p.Profiles() {
		if prof.ID == id {
			return prof, true
		}
	}
	return Profile{}, false
}
