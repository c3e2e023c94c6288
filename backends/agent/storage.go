package agent

import (
	"context"

	"github.com/ferrum-virt/ferrum/agent/proto"
	"github.com/ferrum-virt/ferrum/backends"
)

// storage is the node's StorageManager. Paths (pools, import and export
// files) are paths on the node.
type storage struct{ h *Host }

var _ backends.StorageManager = storage{}

func (s storage) ListPools(ctx context.Context) ([]backends.Pool, error) {
	return call[[]backends.Pool](ctx, s.h, proto.OpPoolList, nil)
}

func (s storage) GetPool(ctx context.Context, name string) (backends.Pool, error) {
	return call[backends.Pool](ctx, s.h, proto.OpPoolGet, proto.Name{Name: name})
}

func (s storage) CreatePool(ctx context.Context, spec backends.PoolSpec) (backends.Pool, error) {
	return call[backends.Pool](ctx, s.h, proto.OpPoolCreate, spec)
}

func (s storage) DeletePool(ctx context.Context, name string) error {
	return do(ctx, s.h, proto.OpPoolDelete, proto.Name{Name: name})
}

func (s storage) ListVolumes(ctx context.Context, pool string) ([]backends.Volume, error) {
	return call[[]backends.Volume](ctx, s.h, proto.OpVolumeList, proto.Name{Name: pool})
}

func (s storage) GetVolume(ctx context.Context, ref backends.VolumeRef) (backends.Volume, error) {
	return call[backends.Volume](ctx, s.h, proto.OpVolumeGet, ref)
}

func (s storage) CreateVolume(ctx context.Context, pool string, spec backends.VolumeSpec) (backends.Volume, error) {
	return call[backends.Volume](ctx, s.h, proto.OpVolumeCreate, proto.CreateVolumeArgs{Pool: pool, Spec: spec})
}

func (s storage) CloneVolume(ctx context.Context, src backends.VolumeRef, spec backends.CloneSpec) (backends.Volume, error) {
	return call[backends.Volume](ctx, s.h, proto.OpVolumeClone, proto.CloneVolumeArgs{Src: src, Spec: spec})
}

func (s storage) ResizeVolume(ctx context.Context, ref backends.VolumeRef, capacity uint64) error {
	return do(ctx, s.h, proto.OpVolumeResize, proto.ResizeVolumeArgs{Ref: ref, Capacity: capacity})
}

func (s storage) DeleteVolume(ctx context.Context, ref backends.VolumeRef) error {
	return do(ctx, s.h, proto.OpVolumeDelete, ref)
}

func (s storage) ImportVolume(ctx context.Context, pool, name, path string) (backends.Volume, error) {
	return call[backends.Volume](ctx, s.h, proto.OpVolumeImport, proto.ImportVolumeArgs{Pool: pool, Name: name, Path: path})
}

func (s storage) ExportVolume(ctx context.Context, ref backends.VolumeRef, path string) error {
	return do(ctx, s.h, proto.OpVolumeExport, proto.ExportVolumeArgs{Ref: ref, Path: path})
}

// switches is the node's SwitchManager.
type switches struct{ h *Host }

var _ backends.SwitchManager = switches{}

func (s switches) ListSwitches(ctx context.Context) ([]backends.Switch, error) {
	return call[[]backends.Switch](ctx, s.h, proto.OpSwitchList, nil)
}

func (s switches) GetSwitch(ctx context.Context, name string) (backends.Switch, error) {
	return call[backends.Switch](ctx, s.h, proto.OpSwitchGet, proto.Name{Name: name})
}

func (s switches) CreateSwitch(ctx context.Context, spec backends.SwitchSpec) (backends.Switch, error) {
	return call[backends.Switch](ctx, s.h, proto.OpSwitchCreate, spec)
}

func (s switches) DeleteSwitch(ctx context.Context, name string) error {
	return do(ctx, s.h, proto.OpSwitchDelete, proto.Name{Name: name})
}

func (s switches) ListPorts(ctx context.Context, sw string) ([]backends.Port, error) {
	return call[[]backends.Port](ctx, s.h, proto.OpPortList, proto.Name{Name: sw})
}

func (s switches) SetPortVLAN(ctx context.Context, sw, mac string, vlan int) error {
	return do(ctx, s.h, proto.OpPortSetVLAN, proto.PortVLANArgs{Switch: sw, MAC: mac, VLAN: vlan})
}
