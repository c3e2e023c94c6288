package poolconfig

import (
	"context"
	"fmt"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
)

// vmUsers tells which VMs of a host refer to which volumes, from the VMs'
// disks (by volume or by path) and the volumes' own UsedBy.
type vmUsers struct {
	vms []backends.VM
}

// users lists the VMs of the call's host.
func (c call) users(ctx context.Context) (vmUsers, error) {
	vms, err := c.h.VMs().List(ctx)
	if err != nil {
		return vmUsers{}, fmt.Errorf("vms of host %s: %w", c.host, err)
	}
	return vmUsers{vms: vms}, nil
}

// refersTo reports whether disk d is volume v.
func refersTo(d backends.DiskSpec, v backends.Volume) bool {
	if d.Volume != nil && *d.Volume == v.Ref {
		return true
	}
	return d.Path != "" && v.Path != "" && d.Path == v.Path
}

// of names the VMs that use v ("web01 (6f1c…)").
func (u vmUsers) of(v backends.Volume) []string {
	var out []string
	seen := map[string]bool{}
	for _, vm := range u.vms {
		if slices.ContainsFunc(vm.Disks, func(d backends.DiskSpec) bool { return refersTo(d, v) }) ||
			slices.Contains(v.UsedBy, vm.UUID) {
			out = append(out, fmt.Sprintf("vm %s (%s)", vm.Name, vm.UUID))
			seen[vm.UUID] = true
		}
	}
	for _, id := range v.UsedBy {
		if !seen[id] {
			out = append(out, "vm "+id)
		}
	}
	return out
}

// writers names the active VMs that have v attached writable.
func (u vmUsers) writers(v backends.Volume) []string {
	var out []string
	for _, vm := range u.vms {
		if !vm.State.Active() {
			continue
		}
		if slices.ContainsFunc(vm.Disks, func(d backends.DiskSpec) bool { return refersTo(d, v) && !d.ReadOnly }) {
			out = append(out, fmt.Sprintf("vm %s (%s)", vm.Name, vm.UUID))
		}
	}
	return out
}
