package agent

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/agent/link"
	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// A handler serves one op against the agent's backend.
type handler func(ctx context.Context, s *server, args proto.RawMessage, c *link.Call) (any, error)

// server serves the backends contract of one host over the link.
type server struct {
	host     backends.Host
	resolver Resolver
	selfID   string
	ops      map[proto.Op]handler
}

// call decodes A from the request and runs f.
func call[A, R any](f func(ctx context.Context, h backends.Host, a A) (R, error)) handler {
	return func(ctx context.Context, s *server, raw proto.RawMessage, _ *link.Call) (any, error) {
		var a A
		if err := proto.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("%w: %w", backends.ErrInvalidArgument, err)
		}
		return f(ctx, s.host, a)
	}
}

// do is call for ops without a result.
func do[A any](f func(ctx context.Context, h backends.Host, a A) error) handler {
	return call(func(ctx context.Context, h backends.Host, a A) (proto.Empty, error) {
		return proto.Empty{}, f(ctx, h, a)
	})
}

// lifecycle serves a Lifecycle method that takes only the VM ID.
func lifecycle(f func(backends.VMManager, context.Context, string) error) handler {
	return do(func(ctx context.Context, h backends.Host, a proto.ID) error { return f(h.VMs(), ctx, a.ID) })
}

func hostOps() map[proto.Op]handler {
	return map[proto.Op]handler{
		proto.OpInfo: call(func(ctx context.Context, h backends.Host, _ proto.Empty) (backends.HostInfo, error) {
			return h.Info(ctx)
		}),
		proto.OpHostStats: call(func(ctx context.Context, h backends.Host, _ proto.Empty) (backends.HostStats, error) {
			return h.Stats(ctx)
		}),
	}
}

func vmOps() map[proto.Op]handler {
	return map[proto.Op]handler{
		proto.OpVMDefine: call(func(ctx context.Context, h backends.Host, a backends.VMSpec) (backends.VM, error) {
			return h.VMs().Define(ctx, a)
		}),
		proto.OpVMUndefine: do(func(ctx context.Context, h backends.Host, a proto.ID) error {
			return h.VMs().Undefine(ctx, a.ID)
		}),
		proto.OpVMGet: call(func(ctx context.Context, h backends.Host, a proto.ID) (backends.VM, error) {
			return h.VMs().Get(ctx, a.ID)
		}),
		proto.OpVMList: call(func(ctx context.Context, h backends.Host, _ proto.Empty) ([]backends.VM, error) {
			return h.VMs().List(ctx)
		}),
		proto.OpVMStats: call(func(ctx context.Context, h backends.Host, a proto.ID) (backends.VMStats, error) {
			return h.VMs().Stats(ctx, a.ID)
		}),
		proto.OpVMStart:   lifecycle(backends.VMManager.Start),
		proto.OpVMStop:    lifecycle(backends.VMManager.Stop),
		proto.OpVMPause:   lifecycle(backends.VMManager.Pause),
		proto.OpVMResume:  lifecycle(backends.VMManager.Resume),
		proto.OpVMReboot:  lifecycle(backends.VMManager.Reboot),
		proto.OpVMReset:   lifecycle(backends.VMManager.Reset),
		proto.OpVMSave:    lifecycle(backends.VMManager.Save),
		proto.OpVMRestore: lifecycle(backends.VMManager.Restore),
		proto.OpVMShutdown: do(func(ctx context.Context, h backends.Host, a proto.ShutdownArgs) error {
			return h.VMs().Shutdown(ctx, a.ID, a.Timeout)
		}),
		proto.OpVMSetVCPUs: do(func(ctx context.Context, h backends.Host, a proto.SetVCPUsArgs) error {
			return h.VMs().SetVCPUs(ctx, a.ID, a.N)
		}),
		proto.OpVMSetMemory: do(func(ctx context.Context, h backends.Host, a proto.SetMemoryArgs) error {
			return h.VMs().SetMemory(ctx, a.ID, a.MiB)
		}),
		proto.OpVMAttachDisk: call(func(ctx context.Context, h backends.Host, a proto.AttachDiskArgs) (backends.DiskSpec, error) {
			return h.VMs().AttachDisk(ctx, a.ID, a.Disk)
		}),
		proto.OpVMDetachDisk: do(func(ctx context.Context, h backends.Host, a proto.DetachArgs) error {
			return h.VMs().DetachDisk(ctx, a.ID, a.Device)
		}),
		proto.OpVMAttachNIC: call(func(ctx context.Context, h backends.Host, a proto.AttachNICArgs) (backends.NICSpec, error) {
			return h.VMs().AttachNIC(ctx, a.ID, a.NIC)
		}),
		proto.OpVMDetachNIC: do(func(ctx context.Context, h backends.Host, a proto.DetachArgs) error {
			return h.VMs().DetachNIC(ctx, a.ID, a.Device)
		}),
	}
}

func storageOps() map[proto.Op]handler {
	return map[proto.Op]handler{
		proto.OpPoolList: call(func(ctx context.Context, h backends.Host, _ proto.Empty) ([]backends.Pool, error) {
			return h.Storage().ListPools(ctx)
		}),
		proto.OpPoolGet: call(func(ctx context.Context, h backends.Host, a proto.Name) (backends.Pool, error) {
			return h.Storage().GetPool(ctx, a.Name)
		}),
		proto.OpPoolCreate: call(func(ctx context.Context, h backends.Host, a backends.PoolSpec) (backends.Pool, error) {
			return h.Storage().CreatePool(ctx, a)
		}),
		proto.OpPoolDelete: do(func(ctx context.Context, h backends.Host, a proto.Name) error {
			return h.Storage().DeletePool(ctx, a.Name)
		}),
		proto.OpVolumeList: call(func(ctx context.Context, h backends.Host, a proto.Name) ([]backends.Volume, error) {
			return h.Storage().ListVolumes(ctx, a.Name)
		}),
		proto.OpVolumeGet: call(func(ctx context.Context, h backends.Host, a backends.VolumeRef) (backends.Volume, error) {
			return h.Storage().GetVolume(ctx, a)
		}),
		proto.OpVolumeCreate: call(func(ctx context.Context, h backends.Host, a proto.CreateVolumeArgs) (backends.Volume, error) {
			return h.Storage().CreateVolume(ctx, a.Pool, a.Spec)
		}),
		proto.OpVolumeClone: call(func(ctx context.Context, h backends.Host, a proto.CloneVolumeArgs) (backends.Volume, error) {
			return h.Storage().CloneVolume(ctx, a.Src, a.Spec)
		}),
		proto.OpVolumeResize: do(func(ctx context.Context, h backends.Host, a proto.ResizeVolumeArgs) error {
			return h.Storage().ResizeVolume(ctx, a.Ref, a.Capacity)
		}),
		proto.OpVolumeDelete: do(func(ctx context.Context, h backends.Host, a backends.VolumeRef) error {
			return h.Storage().DeleteVolume(ctx, a)
		}),
		proto.OpVolumeImport: call(func(ctx context.Context, h backends.Host, a proto.ImportVolumeArgs) (backends.Volume, error) {
			return h.Storage().ImportVolume(ctx, a.Pool, a.Name, a.Path)
		}),
		proto.OpVolumeExport: do(func(ctx context.Context, h backends.Host, a proto.ExportVolumeArgs) error {
			return h.Storage().ExportVolume(ctx, a.Ref, a.Path)
		}),
	}
}

func switchOps() map[proto.Op]handler {
	return map[proto.Op]handler{
		proto.OpSwitchList: call(func(ctx context.Context, h backends.Host, _ proto.Empty) ([]backends.Switch, error) {
			return h.Switches().ListSwitches(ctx)
		}),
		proto.OpSwitchGet: call(func(ctx context.Context, h backends.Host, a proto.Name) (backends.Switch, error) {
			return h.Switches().GetSwitch(ctx, a.Name)
		}),
		proto.OpSwitchCreate: call(func(ctx context.Context, h backends.Host, a backends.SwitchSpec) (backends.Switch, error) {
			return h.Switches().CreateSwitch(ctx, a)
		}),
		proto.OpSwitchDelete: do(func(ctx context.Context, h backends.Host, a proto.Name) error {
			return h.Switches().DeleteSwitch(ctx, a.Name)
		}),
		proto.OpPortList: call(func(ctx context.Context, h backends.Host, a proto.Name) ([]backends.Port, error) {
			return h.Switches().ListPorts(ctx, a.Name)
		}),
		proto.OpPortSetVLAN: do(func(ctx context.Context, h backends.Host, a proto.PortVLANArgs) error {
			return h.Switches().SetPortVLAN(ctx, a.Switch, a.MAC, a.VLAN)
		}),
	}
}
