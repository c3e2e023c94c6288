package poolconfig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// poolTypes maps Ferrum_DiskPoolResourceAllocationSettingData.PoolType to
// the backends' pool types.
var poolTypes = map[uint64]string{
	1: backends.PoolDir, 2: "fs", 3: backends.PoolNetFS, 4: "disk",
	5: "iscsi", 6: "logical", 7: "scsi", 8: "rbd",
}

// createChildPool serves CreateChildResourcePool: a storage pool, child of
// the host's primordial disk pool, created in a job that removes it again
// if the job fails.
func (c call) createChildPool(ctx context.Context) (cim.Value, cim.Params, error) {
	spec, err := c.planPool(ctx)
	if err != nil {
		return c.fail(ctx, err)
	}
	poolPath := model.PoolPath(model.KindDisk, model.PoolID(c.host, model.KindDisk, spec.Name))
	out := cim.Params{{Name: "Pool", Value: cim.Ref(poolPath)}}
	st := c.h.Storage()
	js := c.spec(fmt.Sprintf("create %s pool %s", spec.Type, spec.Name), jobs.EffectCreate, poolPath)
	return c.run(ctx, js, out, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		pr.Status("creating pool %s", spec.Name)
		if _, err := st.CreatePool(ctx, spec); err != nil {
			return nil, fmt.Errorf("create pool %s on host %s: %w", spec.Name, c.host, err)
		}
		pr.Undo("delete pool "+spec.Name, func(ctx context.Context) error {
			err := st.DeletePool(ctx, spec.Name)
			if errors.Is(err, backends.ErrNotFound) {
				return nil
			}
			return err
		})
		return out, nil
	})
}

// planPool turns CreateChildResourcePool's parameters into a pool spec
// and checks it against the host.
func (c call) planPool(ctx context.Context) (backends.PoolSpec, error) {
	rasd, err := c.embedded("Settings", ClassPoolSettings)
	if err != nil {
		return backends.PoolSpec{}, err
	}
	if err := c.checkParents(); err != nil {
		return backends.PoolSpec{}, err
	}
	name := ""
	if v, ok := c.in.Get("ElementName"); ok && !v.IsNull() {
		name = v.Str()
	}
	if name == "" {
		name = firstString(rasd, "ElementName")
	}
	if err := checkName("pool", name); err != nil {
		return backends.PoolSpec{}, err
	}
	spec, err := poolSpecOf(name, rasd)
	if err != nil {
		return backends.PoolSpec{}, err
	}
	info, err := c.h.Info(ctx)
	if err != nil {
		return backends.PoolSpec{}, fmt.Errorf("host %s: %w", c.host, err)
	}
	if !slices.Contains(info.Caps.PoolTypes, spec.Type) {
		return backends.PoolSpec{}, model.Fail(model.NotSupported, "host %s offers no %s pools (it offers %v)",
			c.host, spec.Type, info.Caps.PoolTypes)
	}
	_, err = c.h.Storage().GetPool(ctx, name)
	switch {
	case err == nil:
		return backends.PoolSpec{}, invalid("host %s already has a pool named %s", c.host, name)
	case !errors.Is(err, backends.ErrNotFound):
		return backends.PoolSpec{}, fmt.Errorf("look up pool %s on host %s: %w", name, c.host, err)
	}
	return spec, nil
}

// checkParents accepts no ParentPool or the host's primordial disk pool:
// Ferrum's storage pools are all its children.
func (c call) checkParents() error {
	v, ok := c.in.Get("ParentPool")
	if !ok || v.IsNull() {
		return nil
	}
	refs := []cim.Value{v}
	if v.IsArray() {
		refs = v.Elems()
	}
	if len(refs) > 1 {
		return invalid("ParentPool names %d pools; a storage pool has one parent", len(refs))
	}
	for _, e := range refs {
		r, _ := e.AsRef()
		host, k, name, ok := model.ParsePoolID(model.InstanceIDOf(r))
		if !ok || host != c.host || k != model.KindDisk || name != "" {
			return invalid("ParentPool %s is not the primordial disk pool of host %s (%s)", r, c.host,
				model.PoolID(c.host, model.KindDisk, ""))
		}
	}
	return nil
}

// poolSpecOf reads the pool a Ferrum_DiskPoolResourceAllocationSettingData
// describes, checking that it has what its type needs.
func poolSpecOf(name string, in *cim.Instance) (backends.PoolSpec, error) {
	pt, ok, err := uintProp(in, "PoolType")
	if err != nil {
		return backends.PoolSpec{}, err
	}
	if !ok || pt == 0 {
		pt = 1 // Directory
	}
	typ, known := poolTypes[pt]
	if !known {
		return backends.PoolSpec{}, invalid("PoolType %d is not a pool type (1–8)", pt)
	}
	spec := backends.PoolSpec{Name: name, Type: typ, Path: firstString(in, "Path")}
	size, sized, err := quantityBytes(in)
	if err != nil {
		return backends.PoolSpec{}, err
	}
	if sized && size == 0 {
		return backends.PoolSpec{}, invalid("VirtualQuantity 0: a pool needs a capacity, or none to take what its storage offers")
	}
	spec.Capacity = size
	dev, host, name2 := firstString(in, "DevicePaths"), firstString(in, "Host"), firstString(in, "SourceName")
	var missing string
	switch typ {
	case backends.PoolDir:
		missing = need(spec.Path != "", "Path")
	case "fs":
		spec.Source = dev
		missing = need(spec.Path != "" && dev != "", "Path and DevicePaths")
	case backends.PoolNetFS:
		dir := firstString(in, "SourceDirectory")
		spec.Source = host + ":" + dir
		missing = need(spec.Path != "" && host != "" && dir != "", "Path, Host and SourceDirectory")
	case "disk":
		spec.Source = dev
		missing = need(dev != "", "DevicePaths")
	case "iscsi", "rbd":
		spec.Source = host + "/" + name2
		missing = need(host != "" && name2 != "", "Host and SourceName")
	case "logical":
		spec.Source = name2
		missing = need(name2 != "", "SourceName (the volume group)")
	case "scsi":
		spec.Source = firstString(in, "AdapterName")
		missing = need(spec.Source != "", "AdapterName")
	}
	if missing != "" {
		return backends.PoolSpec{}, invalid("a %s pool needs %s", typ, missing)
	}
	if spec.Path != "" && !filepath.IsAbs(spec.Path) {
		return backends.PoolSpec{}, invalid("Path %q is not absolute", spec.Path)
	}
	return spec, nil
}

func need(ok bool, what string) string {
	if ok {
		return ""
	}
	return what
}

// deletePool serves DeleteResourcePool: a storage pool that holds no
// volumes is removed in a job. The primordial pool, pools of other kinds
// and pools that hold volumes are refused at once.
func (c call) deletePool(ctx context.Context) (cim.Value, cim.Params, error) {
	name, err := c.poolParam(ctx, "Pool")
	if err != nil {
		return c.fail(ctx, err)
	}
	if err := c.checkEmpty(ctx, name); err != nil {
		return c.fail(ctx, err)
	}
	poolPath := model.PoolPath(model.KindDisk, model.PoolID(c.host, model.KindDisk, name))
	st := c.h.Storage()
	js := c.spec("delete pool "+name, jobs.EffectElementIntegrity, poolPath)
	return c.run(ctx, js, nil, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		pr.Status("deleting pool %s", name)
		if err := st.DeletePool(ctx, name); err != nil {
			return nil, fmt.Errorf("delete pool %s on host %s: %w", name, c.host, err)
		}
		return nil, nil
	})
}

// poolParam resolves the reference parameter param to a concrete storage
// pool of the call's host and returns its name.
func (c call) poolParam(ctx context.Context, param string) (string, error) {
	r, ok := c.ref(param)
	if !ok {
		return "", invalid("%s is required: a reference to a storage pool", param)
	}
	host, k, name, ok := model.ParsePoolID(model.InstanceIDOf(r))
	switch {
	case !ok:
		return "", invalid("%s %s names no pool", param, r)
	case host != c.host:
		return "", invalid("%s %s is a pool of host %s, not of this service's host %s", param, r, host, c.host)
	case k != model.KindDisk:
		return "", model.Fail(model.NotSupported, "%s %s is a %s pool; this service manages storage pools", param, r, k)
	case name == "":
		return "", invalid("%s %s is the primordial disk pool, which stands for the host's storage and cannot be changed", param, r)
	}
	if _, err := c.h.Storage().GetPool(ctx, name); err != nil {
		if errors.Is(err, backends.ErrNotFound) {
			return "", invalid("host %s has no storage pool %s", c.host, name)
		}
		return "", fmt.Errorf("look up pool %s on host %s: %w", name, c.host, err)
	}
	return name, nil
}

// checkEmpty refuses (In Use) a pool that still holds volumes, naming
// them and the VMs that use them.
func (c call) checkEmpty(ctx context.Context, pool string) error {
	vols, err := c.h.Storage().ListVolumes(ctx, pool)
	if err != nil {
		return fmt.Errorf("volumes of pool %s on host %s: %w", pool, c.host, err)
	}
	if len(vols) == 0 {
		return nil
	}
	users, err := c.users(ctx)
	if err != nil {
		return err
	}
	var names []string
	inUse := 0
	for _, v := range vols {
		if u := users.of(v); len(u) > 0 {
			inUse++
			names = append(names, fmt.Sprintf("%s (used by %s)", v.Ref.Name, u))
			continue
		}
		names = append(names, v.Ref.Name)
	}
	return model.Fail(model.Busy, "pool %s still holds %d volumes, %d of them attached to VMs: %v; delete them first",
		pool, len(vols), inUse, names)
}
