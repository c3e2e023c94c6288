package libvirt

import (
	"context"
	"fmt"
	"slices"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"
	"github.com/google/uuid"

	"github.com/ferrum-virt/ferrum/backends"
)

func (a *vmAPI) host() *Host { return (*Host)(a) }

// definition is one domain's persistent configuration.
type definition struct {
	dom  golibvirt.Domain
	spec backends.VMSpec
}

// definitions reads every domain's persistent configuration. Name, UUID,
// MAC, volume and port checks run over it, so they see domains defined by
// other clients of the daemon too; the cost is one call per domain.
func (h *Host) definitions() ([]definition, error) {
	doms, _, err := h.l.ConnectListAllDomains(1, 0)
	if err != nil {
		return nil, wrap(err, "list domains on %s", h)
	}
	out := make([]definition, 0, len(doms))
	for _, d := range doms {
		doc, err := h.domainDoc(d, true)
		if isCode(err, golibvirt.ErrNoDomain) {
			continue // undefined meanwhile
		}
		if err != nil {
			return nil, err
		}
		spec, err := specOf(doc)
		if err != nil {
			h.log.Warn("libvirt domain not understood", "host", h.static.Hostname, "vm", d.Name, "err", err)
			continue
		}
		out = append(out, definition{dom: d, spec: spec})
	}
	return out, nil
}

// macsInUse maps every MAC of the host's domains to its domain's UUID.
func macsInUse(defs []definition) map[string]string {
	m := map[string]string{}
	for _, d := range defs {
		for _, n := range d.spec.NICs {
			m[n.MAC] = d.spec.UUID
		}
	}
	return m
}

// Define validates spec and defines a stopped VM.
func (a *vmAPI) Define(ctx context.Context, spec backends.VMSpec) (backends.VM, error) {
	h := a.host()
	spec = cloneSpec(spec)
	spec.Normalize()
	if err := spec.Validate(h.static.Limits); err != nil {
		return backends.VM{}, fmt.Errorf("define on %s: %w", h, err)
	}
	if err := h.alive(ctx); err != nil {
		return backends.VM{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	doc, err := h.prepareDomain(&spec)
	if err != nil {
		return backends.VM{}, fmt.Errorf("define %q on %s: %w", spec.Name, h, err)
	}
	text, err := doc.marshal()
	if err != nil {
		return backends.VM{}, err
	}
	d, err := h.l.DomainDefineXML(text)
	if err != nil {
		return backends.VM{}, wrap(err, "define %q on %s", spec.Name, h)
	}
	h.logOp("define", spec.Name)
	return h.vm(d)
}

// prepareDomain checks spec against the host's domains, assigns its UUID,
// MACs and disk targets, and renders it. Called with h.mu held.
func (h *Host) prepareDomain(spec *backends.VMSpec) (*domainXML, error) {
	defs, err := h.definitions()
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		switch {
		case d.spec.Name == spec.Name:
			return nil, fmt.Errorf("name in use: %w", backends.ErrConflict)
		case spec.UUID != "" && d.spec.UUID == spec.UUID:
			return nil, fmt.Errorf("uuid %s in use by %q: %w", spec.UUID, d.spec.Name, backends.ErrConflict)
		}
	}
	if spec.UUID == "" {
		spec.UUID = uuid.NewString()
	}
	formats := make([]string, len(spec.Disks))
	var used []string
	for i := range spec.Disks {
		if formats[i], err = h.prepareDisk(&spec.Disks[i], used, spec.UUID, defs); err != nil {
			return nil, err
		}
		used = append(used, spec.Disks[i].Target)
	}
	macs := macsInUse(defs)
	nics := make([]interfaceXML, len(spec.NICs))
	for i := range spec.NICs {
		if nics[i], err = h.prepareNIC(&spec.NICs[i], macs, spec.UUID); err != nil {
			return nil, err
		}
	}
	return newDomain(*spec, h.machine, formats, nics), nil
}

// Undefine removes a VM that is not running, with its managed save image.
func (a *vmAPI) Undefine(ctx context.Context, id string) error {
	h := a.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.lookup(id)
	if err != nil {
		return err
	}
	if _, err := h.allow(d, "undefine", backends.StateOff, backends.StateCrashed, backends.StateSaved); err != nil {
		return err
	}
	flags := golibvirt.DomainUndefineManagedSave | golibvirt.DomainUndefineSnapshotsMetadata
	if h.driver == driverQEMU {
		flags |= golibvirt.DomainUndefineNvram
	}
	if err := h.l.DomainUndefineFlags(d, flags); err != nil {
		return wrap(err, "undefine vm %s on %s", id, h)
	}
	h.logOp("undefine", d.Name)
	return nil
}

// Get reports one VM: its live configuration while it runs, its definition
// otherwise.
func (a *vmAPI) Get(ctx context.Context, id string) (backends.VM, error) {
	h := a.host()
	if err := h.alive(ctx); err != nil {
		return backends.VM{}, err
	}
	d, err := h.lookup(id)
	if err != nil {
		return backends.VM{}, err
	}
	return h.vm(d)
}

// List reports every VM on the host, by name. Domains that vanish while
// listing are left out.
func (a *vmAPI) List(ctx context.Context) ([]backends.VM, error) {
	h := a.host()
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	doms, _, err := h.l.ConnectListAllDomains(1, 0)
	if err != nil {
		return nil, wrap(err, "list domains on %s", h)
	}
	out := make([]backends.VM, 0, len(doms))
	for _, d := range doms {
		vm, err := h.vm(d)
		if isCode(err, golibvirt.ErrNoDomain) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, vm)
	}
	slices.SortFunc(out, func(x, y backends.VM) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// cloneSpec deep-copies a spec so the caller's slices are never changed.
func cloneSpec(s backends.VMSpec) backends.VMSpec {
	s.Disks = slices.Clone(s.Disks)
	for i, d := range s.Disks {
		if d.Volume != nil {
			ref := *d.Volume
			s.Disks[i].Volume = &ref
		}
	}
	s.NICs = slices.Clone(s.NICs)
	s.BootOrder = slices.Clone(s.BootOrder)
	if s.Graphics != nil {
		g := *s.Graphics
		s.Graphics = &g
	}
	return s
}
