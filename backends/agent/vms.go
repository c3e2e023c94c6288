package agent

import (
	"context"
	"time"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// vms is the node's VMManager.
type vms struct{ h *Host }

var _ backends.VMManager = vms{}

func (v vms) Define(ctx context.Context, spec backends.VMSpec) (backends.VM, error) {
	return call[backends.VM](ctx, v.h, proto.OpVMDefine, spec)
}

func (v vms) Undefine(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMUndefine, proto.ID{ID: id})
}

func (v vms) Get(ctx context.Context, id string) (backends.VM, error) {
	return call[backends.VM](ctx, v.h, proto.OpVMGet, proto.ID{ID: id})
}

func (v vms) List(ctx context.Context) ([]backends.VM, error) {
	return call[[]backends.VM](ctx, v.h, proto.OpVMList, nil)
}

func (v vms) Stats(ctx context.Context, id string) (backends.VMStats, error) {
	return call[backends.VMStats](ctx, v.h, proto.OpVMStats, proto.ID{ID: id})
}

func (v vms) Start(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMStart, proto.ID{ID: id})
}

func (v vms) Stop(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMStop, proto.ID{ID: id})
}

// Shutdown waits for the guest on the node; the node also sees ctx's
// deadline and cancellation.
func (v vms) Shutdown(ctx context.Context, id string, timeout time.Duration) error {
	return do(ctx, v.h, proto.OpVMShutdown, proto.ShutdownArgs{ID: id, Timeout: timeout})
}

func (v vms) Pause(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMPause, proto.ID{ID: id})
}

func (v vms) Resume(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMResume, proto.ID{ID: id})
}

func (v vms) Reboot(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMReboot, proto.ID{ID: id})
}

func (v vms) Reset(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMReset, proto.ID{ID: id})
}

func (v vms) Save(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMSave, proto.ID{ID: id})
}

func (v vms) Restore(ctx context.Context, id string) error {
	return do(ctx, v.h, proto.OpVMRestore, proto.ID{ID: id})
}

func (v vms) SetVCPUs(ctx context.Context, id string, n int) error {
	return do(ctx, v.h, proto.OpVMSetVCPUs, proto.SetVCPUsArgs{ID: id, N: n})
}

func (v vms) SetMemory(ctx context.Context, id string, mib uint64) error {
	return do(ctx, v.h, proto.OpVMSetMemory, proto.SetMemoryArgs{ID: id, MiB: mib})
}

func (v vms) AttachDisk(ctx context.Context, id string, d backends.DiskSpec) (backends.DiskSpec, error) {
	return call[backends.DiskSpec](ctx, v.h, proto.OpVMAttachDisk, proto.AttachDiskArgs{ID: id, Disk: d})
}

func (v vms) DetachDisk(ctx context.Context, id string, target string) error {
	return do(ctx, v.h, proto.OpVMDetachDisk, proto.DetachArgs{ID: id, Device: target})
}

func (v vms) AttachNIC(ctx context.Context, id string, n backends.NICSpec) (backends.NICSpec, error) {
	return call[backends.NICSpec](ctx, v.h, proto.OpVMAttachNIC, proto.AttachNICArgs{ID: id, NIC: n})
}

func (v vms) DetachNIC(ctx context.Context, id string, mac string) error {
	return do(ctx, v.h, proto.OpVMDetachNIC, proto.DetachArgs{ID: id, Device: mac})
}
