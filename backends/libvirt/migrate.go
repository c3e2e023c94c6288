package libvirt

import (
	"context"
	"fmt"
	"strings"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// DefaultMaxRounds bounds the pre-copy rounds of a live migration whose
// options set none; beyond it the migration is aborted as not converging.
const DefaultMaxRounds = 30

// jobPollInterval is how often a live migration's job statistics are read.
const jobPollInterval = 100 * time.Millisecond

// destination returns dest as a libvirt Host, or ErrUnsupported for another
// kind of backend.
func destination(dest backends.Host) (*Host, error) {
	dst, ok := dest.(*Host)
	if !ok {
		return nil, fmt.Errorf("destination %T is not a libvirt host: %w", dest, backends.ErrUnsupported)
	}
	return dst, nil
}

// CheckMigration reports whether VM id could move to dest now: memory,
// CPU compatibility (virConnectCompareHypervisorCPU on dest), storage
// shared with dest, and the VM's switches present there.
func (h *Host) CheckMigration(ctx context.Context, id string, dest backends.Host) (backends.MigrationCheck, error) {
	dst, err := destination(dest)
	if err != nil {
		return backends.MigrationCheck{}, err
	}
	if err := h.alive(ctx); err != nil {
		return backends.MigrationCheck{}, err
	}
	d, err := h.lookup(id)
	if err != nil {
		return backends.MigrationCheck{}, err
	}
	return h.check(ctx, d, dst)
}

func (h *Host) check(ctx context.Context, d golibvirt.Domain, dst *Host) (backends.MigrationCheck, error) {
	doc, err := h.domainDoc(d, false)
	if err != nil {
		return backends.MigrationCheck{}, err
	}
	spec, err := specOf(doc)
	if err != nil {
		return backends.MigrationCheck{}, fmt.Errorf("vm %s on %s: %w", d.Name, h, err)
	}
	info, err := dst.Info(ctx)
	if err != nil {
		return backends.MigrationCheck{}, fmt.Errorf("check destination %s: %w", dst, err)
	}
	var c backends.MigrationCheck
	reason := func(ok bool, format string, args ...any) bool {
		if !ok {
			c.Reasons = append(c.Reasons, fmt.Sprintf(format, args...))
		}
		return ok
	}
	c.MemoryFits = reason(spec.MemoryMiB <= info.FreeMiB, "needs %d MiB, %s has %d MiB free",
		spec.MemoryMiB, dst, info.FreeMiB)
	c.CPUCompatible = reason(h.cpuCompatible(doc, dst), "the guest CPU is not available on %s", dst)
	c.StorageShared = true
	for _, disk := range spec.Disks {
		c.StorageShared = reason(h.diskShared(disk, dst), "disk %s is not on storage %s shares", disk.Target, dst) &&
			c.StorageShared
	}
	c.NetworksPresent = true
	for _, n := range spec.NICs {
		_, err := dst.l.NetworkLookupByName(n.Switch)
		c.NetworksPresent = reason(err == nil, "switch %q is missing on %s", n.Switch, dst) && c.NetworksPresent
	}
	c.OK = c.MemoryFits && c.CPUCompatible && c.StorageShared && c.NetworksPresent
	return c, nil
}

// cpuCompatible asks dest whether its hypervisor can provide the guest's
// CPU definition. Without one (the hypervisor's default model), or when
// dest cannot compare, it requires the same processor vendor.
func (h *Host) cpuCompatible(doc *domainXML, dst *Host) bool {
	for _, o := range doc.Other {
		if o.XMLName.Local != "cpu" {
			continue
		}
		cpu, err := marshalDevice(o)
		if err != nil {
			break
		}
		res, err := dst.l.ConnectCompareHypervisorCPU(nil, golibvirt.OptString{dst.machine.Arch}, nil,
			golibvirt.OptString{dst.machine.DomainType}, cpu, 0)
		if err == nil {
			return res > int32(golibvirt.CPUCompareIncompatible)
		}
		h.log.Debug("libvirt cpu comparison unavailable", "host", dst.static.Hostname, "err", err)
	}
	return h.static.CPU.Vendor == dst.static.CPU.Vendor
}

// diskShared tells whether dest reaches a disk's storage: an empty drive or
// a network disk always, a volume when dest has the same shared pool, a
// path when dest has it in a shared pool.
func (h *Host) diskShared(disk backends.DiskSpec, dst *Host) bool {
	switch {
	case disk.Volume != nil:
		p, err := h.l.StoragePoolLookupByName(disk.Volume.Pool)
		if err != nil {
			return false
		}
		src, err := h.pool(p)
		if err != nil || !src.Shared {
			return false
		}
		q, err := dst.l.StoragePoolLookupByName(disk.Volume.Pool)
		if err != nil {
			return false
		}
		other, err := dst.pool(q)
		return err == nil && other.Type == src.Type && other.Source == src.Source
	case disk.Path == "" || strings.Contains(disk.Path, "://"):
		return true
	}
	v, err := dst.l.StorageVolLookupByPath(disk.Path)
	if err != nil {
		return false
	}
	p, err := dst.l.StoragePoolLookupByName(v.Pool)
	if err != nil {
		return false
	}
	pool, err := dst.pool(p)
	return err == nil && pool.Shared
}

// Migrate moves VM id to dest peer to peer: the source daemon connects to
// dest's PeerURI (virDomainMigratePerform3Params with
// MigrateLive|MigratePeer2peer|MigratePersistDest|MigrateUndefineSource),
// while Migrate polls the job for progress and aborts it (virDomainAbortJob)
// when ctx ends or the rounds exceed opts.MaxRounds. The result's TotalTime
// and Downtime are libvirt's record of the job, kept on the destination:
// the memory copy to the guest's resume. The call takes longer, by the
// destination emulator's start and the source's clean-up. An offline
// migration moves a stopped VM's definition the same way with
// MigrateOffline.
func (h *Host) Migrate(ctx context.Context, id string, dest backends.Host, opts backends.MigrateOptions) (backends.MigrationResult, error) {
	dst, err := destination(dest)
	if err != nil {
		return backends.MigrationResult{}, err
	}
	if err := h.alive(ctx); err != nil {
		return backends.MigrationResult{}, fmt.Errorf("migrate %s: %w", id, err)
	}
	if dst.static.ID == h.static.ID {
		return backends.MigrationResult{}, fmt.Errorf("migrate %s to its own host %s: %w", id, h, backends.ErrInvalidArgument)
	}
	d, err := h.lookup(id)
	if err != nil {
		return backends.MigrationResult{}, err
	}
	from := states(backends.StateRunning, backends.StatePaused)
	if opts.Offline {
		from = states(backends.StateOff, backends.StateCrashed)
	}
	if _, err := h.allow(d, "migrate", from...); err != nil {
		return backends.MigrationResult{}, err
	}
	if err := h.admit(ctx, d, dst, opts.Offline); err != nil {
		return backends.MigrationResult{}, err
	}
	h.logOp("migrate", d.Name, "to", dst.static.Hostname, "offline", opts.Offline)
	if opts.Offline {
		flags := golibvirt.MigrateOffline | golibvirt.MigratePeer2peer | golibvirt.MigratePersistDest |
			golibvirt.MigrateUndefineSource
		_, err := h.l.DomainMigratePerform3Params(d, golibvirt.OptString{dst.peerURI}, nil, nil, flags)
		return backends.MigrationResult{}, wrap(err, "migrate vm %s from %s to %s", d.Name, h, dst)
	}
	return h.migrateLive(ctx, d, dst, opts)
}

// admit runs the migration check and turns a refusal into the error the
// contract names.
func (h *Host) admit(ctx context.Context, d golibvirt.Domain, dst *Host, offline bool) error {
	if dst.peerURI == "" {
		return fmt.Errorf("migrate to %s: it has no peer URI (Options.PeerURI): %w", dst, backends.ErrUnsupported)
	}
	c, err := h.check(ctx, d, dst)
	if err != nil {
		return err
	}
	switch {
	case !c.MemoryFits && !offline:
		return fmt.Errorf("migrate vm %s to %s: %s: %w", d.Name, dst, strings.Join(c.Reasons, "; "), backends.ErrInsufficientResources)
	case !c.CPUCompatible || !c.StorageShared || !c.NetworksPresent:
		return fmt.Errorf("migrate vm %s to %s: %s: %w", d.Name, dst, strings.Join(c.Reasons, "; "), backends.ErrIncompatible)
	}
	return h.prepareSegments(d, dst)
}

// prepareSegments starts on dst the switches and VLAN segments the VM's
// ports use.
func (h *Host) prepareSegments(d golibvirt.Domain, dst *Host) error {
	doc, err := h.domainDoc(d, false)
	if err != nil {
		return err
	}
	dst.mu.Lock()
	defer dst.mu.Unlock()
	for _, x := range doc.Devices.Interfaces {
		n := nicSpecOf(x)
		seg, err := dst.segmented(n.Switch)
		if err != nil {
			continue
		}
		if seg && n.VLAN > 0 {
			if err := dst.ensureSegment(n.Switch, n.VLAN); err != nil {
				return err
			}
			continue
		}
		if net, err := dst.l.NetworkLookupByName(n.Switch); err == nil {
			if active, _ := dst.l.NetworkIsActive(net); active != 1 {
				if err := dst.l.NetworkCreate(net); err != nil {
					return wrap(err, "start switch %q on %s", n.Switch, dst)
				}
			}
		}
	}
	return nil
}
