package migration

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// codes number the outcomes of the migration methods (DSP1081): 1 Not
// Supported, 2 Failed, 3 Timeout, 4 Invalid Parameter (also an unknown VM
// or destination), 5 Invalid State (also a destination short of memory or
// unreachable now: "a temporary condition"), 6 Incompatible Parameters.
var codes = model.ReturnCodes{
	model.NotSupported: 1, model.Failed: 2, model.Timeout: 3, model.InvalidParameter: 4, model.NotFound: 4,
	model.InvalidState: 5, model.Busy: 5, model.InsufficientResources: 5, model.Unavailable: 5, model.Incompatible: 6,
}

// request is a checked call of one of the service's methods.
type request struct {
	src, dst hostEntry
	vm       backends.VM
	mig      backends.Migrator
	s        settings
	offline  bool // the VM is stopped: only its definition moves
}

// prepare checks the parameters common to the four methods, for the
// service of host src. toSystem says the destination is DestinationSystem
// rather than DestinationHost.
func (p *Provider) prepare(ctx context.Context, src hostEntry, in cim.Params, toSystem bool) (request, error) {
	r := request{src: src}
	var err error
	if r.vm, err = p.sourceVM(ctx, src, in); err != nil {
		return r, err
	}
	if r.dst, err = p.destination(ctx, in, toSystem); err != nil {
		return r, err
	}
	if r.dst.id == src.id {
		return r, invalid("vm %s is already on host %s", r.vm.Name, src.id)
	}
	v, given := in.Get("MigrationSettingData")
	if r.s, err = p.parseSettings(v, given); err != nil {
		return r, err
	}
	if err := noNewSettings(in); err != nil {
		return r, err
	}
	var ok bool
	if r.mig, ok = src.h.(backends.Migrator); !ok {
		return r, model.Fail(model.NotSupported, "host %s cannot migrate virtual systems", src.id)
	}
	if r.offline, err = mode(r.vm, r.s.kind); err != nil {
		return r, err
	}
	if r.s.percent > 0 {
		if err := p.shareOfLink(ctx, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// sourceVM returns the VM the ComputerSystem parameter names, which must
// live on the service's host.
func (p *Provider) sourceVM(ctx context.Context, src hostEntry, in cim.Params) (backends.VM, error) {
	v, _ := in.Get("ComputerSystem")
	ref, ok := v.AsRef()
	if !ok {
		return backends.VM{}, invalid("ComputerSystem must reference the virtual system to migrate")
	}
	id, ok := model.VMOf(ref)
	if !ok {
		return backends.VM{}, invalid("ComputerSystem %s is not a %s", ref, model.ClassVM)
	}
	host, _, vm, err := p.vp.FindVM(ctx, id)
	if err != nil {
		return backends.VM{}, fmt.Errorf("ComputerSystem: %w", err)
	}
	if host != src.id {
		return backends.VM{}, invalid("vm %s is on host %s, not on the host of this service (%s): ask that host's migration service", vm.Name, host, src.id)
	}
	return vm, nil
}

// destination returns the host DestinationHost or DestinationSystem names.
func (p *Provider) destination(ctx context.Context, in cim.Params, toSystem bool) (hostEntry, error) {
	if !toSystem {
		v, _ := in.Get("DestinationHost")
		if v.IsNull() || v.Str() == "" {
			return hostEntry{}, invalid("DestinationHost is required")
		}
		return p.resolveHost(ctx, v.Str())
	}
	v, _ := in.Get("DestinationSystem")
	ref, ok := v.AsRef()
	if !ok {
		return hostEntry{}, invalid("DestinationSystem must reference a %s", model.ClassHost)
	}
	id, ok := destHostOf(ref)
	if !ok {
		return hostEntry{}, invalid("DestinationSystem %s is not a %s", ref, model.ClassHost)
	}
	h, err := p.host(ctx, id)
	if err != nil {
		return hostEntry{}, fmt.Errorf("DestinationSystem: %w", err)
	}
	return h, nil
}

// noNewSettings refuses NewSystemSettingData and NewResourceSettingData:
// a migration does not change the VM.
func noNewSettings(in cim.Params) error {
	if v, _ := in.Get("NewSystemSettingData"); !v.IsNull() {
		return incompatible("NewSystemSettingData: a migration cannot change the virtual system's settings; modify them before or after")
	}
	if v, _ := in.Get("NewResourceSettingData"); !v.IsNull() && v.Len() > 0 {
		return incompatible("NewResourceSettingData: a migration cannot change the virtual system's resources; modify them before or after")
	}
	return nil
}

// mode decides how vm moves for a migration of kind: offline when it is
// stopped; a running or paused VM moves live or by Resume, a running one
// by Restart. Other states fail with InvalidState.
func mode(vm backends.VM, kind uint16) (offline bool, err error) {
	switch {
	case vm.State == backends.StateOff || vm.State == backends.StateCrashed:
		return true, nil
	case vm.State == backends.StateRunning:
		return false, nil
	case vm.State == backends.StatePaused && kind != typeRestart:
		return false, nil
	}
	need := "running or paused"
	if kind == typeRestart {
		need = "running"
	}
	return false, model.Fail(model.InvalidState, "vm %s is %s: %s migration needs it %s, or stopped",
		vm.Name, vm.State, kindName(kind), need)
}

func kindName(kind uint16) string {
	switch kind {
	case typeResume:
		return "a resume"
	case typeRestart:
		return "a restart"
	}
	return "a live"
}

// shareOfLink turns a Bandwidth in percent into bytes per second of the
// slower of the two hosts' fastest links.
func (p *Provider) shareOfLink(ctx context.Context, r *request) error {
	var link int
	for i, h := range []hostEntry{r.src, r.dst} {
		info, err := h.h.Info(ctx)
		if err != nil {
			return fmt.Errorf("link speed of host %s: %w", h.id, err)
		}
		fastest := 0
		for _, n := range info.NICs {
			if n.LinkUp || len(info.NICs) == 1 {
				fastest = max(fastest, n.SpeedMbps)
			}
		}
		if i == 0 || fastest < link {
			link = fastest
		}
	}
	if link <= 0 {
		return incompatible("Bandwidth in percent needs the link speed, which host %s or %s does not report", r.src.id, r.dst.id)
	}
	r.s.bandwidth = uint64(link) * 1e6 / 8 * uint64(r.s.percent) / 100
	return nil
}

// check asks the backend whether r could run now.
func (p *Provider) check(ctx context.Context, r request) (backends.MigrationCheck, error) {
	c, err := r.mig.CheckMigration(ctx, r.vm.UUID, r.dst.h)
	if err != nil {
		return c, fmt.Errorf("check migration of vm %s to host %s: %w", r.vm.Name, r.dst.id, err)
	}
	return c, nil
}

// refusal is the error of a negative check: InsufficientResources when
// the destination lacks memory (5), Incompatible otherwise (6).
func refusal(r request, c backends.MigrationCheck) error {
	kind := backends.ErrIncompatible
	if !c.MemoryFits {
		kind = backends.ErrInsufficientResources
	}
	return fmt.Errorf("vm %s cannot move to host %s: %v: %w", r.vm.Name, r.dst.id, c.Reasons, kind)
}
