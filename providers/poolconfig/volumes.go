package poolconfig

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// volumePlan is a checked CreateResourceInPool.
type volumePlan struct {
	pool string
	spec backends.VolumeSpec // Capacity 0 for a clone: the source's
	// src is the volume to clone, nil for a new empty volume.
	src    *backends.Volume
	linked bool
}

func (v volumePlan) describe() string {
	switch {
	case v.src == nil:
		return fmt.Sprintf("create volume %s/%s", v.pool, v.spec.Name)
	case v.linked:
		return fmt.Sprintf("create linked clone %s/%s of %s", v.pool, v.spec.Name, v.src.Ref)
	}
	return fmt.Sprintf("create full clone %s/%s of %s", v.pool, v.spec.Name, v.src.Ref)
}

// createVolume serves CreateResourceInPool: a sparse volume, or a clone of
// an existing one, made in a job that deletes it again if a later step
// fails.
func (c call) createVolume(ctx context.Context) (cim.Value, cim.Params, error) {
	plan, err := c.planVolume(ctx)
	if err != nil {
		return c.fail(ctx, err)
	}
	volPath := model.VolumePath(c.host, plan.pool, plan.spec.Name)
	out := cim.Params{{Name: "Resource", Value: cim.Ref(volPath)}}
	js := c.spec(plan.describe(), jobs.EffectCreate, volPath)
	return c.run(ctx, js, out, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		pr.Status("%s", plan.describe())
		if err := c.makeVolume(ctx, pr, plan); err != nil {
			return nil, err
		}
		return out, nil
	})
}

// makeVolume creates or clones the planned volume, growing a clone to the
// capacity asked for.
func (c call) makeVolume(ctx context.Context, pr *jobs.Progress, plan volumePlan) error {
	st := c.h.Storage()
	var err error
	if plan.src == nil {
		_, err = st.CreateVolume(ctx, plan.pool, plan.spec)
	} else {
		_, err = st.CloneVolume(ctx, plan.src.Ref, backends.CloneSpec{Name: plan.spec.Name, Pool: plan.pool, Linked: plan.linked})
	}
	if err != nil {
		return fmt.Errorf("%s on host %s: %w", plan.describe(), c.host, err)
	}
	ref := backends.VolumeRef{Pool: plan.pool, Name: plan.spec.Name}
	pr.Undo("delete volume "+ref.String(), func(ctx context.Context) error {
		err := st.DeleteVolume(ctx, ref)
		if errors.Is(err, backends.ErrNotFound) {
			return nil
		}
		return err
	})
	if plan.src != nil && plan.spec.Capacity > plan.src.Capacity {
		pr.Status("growing %s to %d bytes", ref, plan.spec.Capacity)
		if err := st.ResizeVolume(ctx, ref, plan.spec.Capacity); err != nil {
			return fmt.Errorf("grow clone %s to %d bytes: %w", ref, plan.spec.Capacity, err)
		}
	}
	return nil
}

// planVolume turns CreateResourceInPool's parameters into a plan and
// checks it against the host.
func (c call) planVolume(ctx context.Context) (volumePlan, error) {
	rasd, err := c.embedded("Settings", ClassVolSettings)
	if err != nil {
		return volumePlan{}, err
	}
	pool, err := c.poolParam(ctx, "Pool")
	if err != nil {
		return volumePlan{}, err
	}
	plan := volumePlan{pool: pool}
	plan.spec.Name = firstString(rasd, "VolumeName", "ElementName")
	if err := checkName("volume", plan.spec.Name); err != nil {
		return volumePlan{}, err
	}
	ref := backends.VolumeRef{Pool: pool, Name: plan.spec.Name}
	if _, err := c.h.Storage().GetVolume(ctx, ref); err == nil {
		return volumePlan{}, invalid("pool %s already has a volume named %s", pool, plan.spec.Name)
	} else if !errors.Is(err, backends.ErrNotFound) {
		return volumePlan{}, fmt.Errorf("look up volume %s on host %s: %w", ref, c.host, err)
	}
	size, sized, err := quantityBytes(rasd)
	if err != nil {
		return volumePlan{}, err
	}
	if sized && size == 0 {
		return volumePlan{}, invalid("VirtualQuantity 0: a volume needs a capacity")
	}
	plan.spec.Capacity = size
	plan.spec.Format = strings.ToLower(firstString(rasd, "FormatType"))
	if err := c.planSource(ctx, rasd, &plan); err != nil {
		return volumePlan{}, err
	}
	return plan, plan.check()
}

// check validates a plan's capacity and format.
func (v volumePlan) check() error {
	f := v.spec.Format
	switch {
	case v.src == nil && v.spec.Capacity == 0:
		return invalid("a new volume needs its capacity in VirtualQuantity")
	case v.src == nil && f != "" && f != backends.FormatQCOW2 && f != backends.FormatRaw:
		return invalid("FormatType %q: want qcow2 or raw", f)
	case v.src == nil:
		return nil
	case v.spec.Capacity != 0 && v.spec.Capacity < v.src.Capacity:
		return invalid("a clone cannot be smaller than its source %s (%d bytes)", v.src.Ref, v.src.Capacity)
	case v.linked && f != "" && f != backends.FormatQCOW2:
		return invalid("a linked clone is a qcow2 overlay, not %s", f)
	case !v.linked && f != "" && f != v.src.Format:
		return invalid("a full clone of %s keeps its format %s; %s asked", v.src.Ref, v.src.Format, f)
	}
	return nil
}

// planSource reads the volume to clone: BackingPath for a linked clone,
// HostResource[0] for a full copy. Both may be given when they name the
// same volume (a linked clone).
func (c call) planSource(ctx context.Context, rasd *cim.Instance, plan *volumePlan) error {
	backing, full := firstString(rasd, "BackingPath"), firstString(rasd, "HostResource")
	if backing == "" && full == "" {
		return nil
	}
	var src backends.Volume
	for _, s := range []struct{ prop, text string }{{"HostResource", full}, {"BackingPath", backing}} {
		if s.text == "" {
			continue
		}
		v, err := c.resolveVolume(ctx, s.prop, s.text)
		if err != nil {
			return err
		}
		if src.Ref.Name != "" && src.Ref != v.Ref {
			return invalid("HostResource names %s but BackingPath %s: give one source", src.Ref, v.Ref)
		}
		src = v
	}
	plan.src, plan.linked = &src, backing != ""
	users, err := c.users(ctx)
	if err != nil {
		return err
	}
	if w := users.writers(src); len(w) > 0 {
		return model.Fail(model.Busy, "volume %s is attached writable to running %v; stop it or clone another", src.Ref, w)
	}
	return nil
}

// resolveVolume finds the volume of the call's host that text (property
// prop) names: its path on the host, "pool/name", or a
// Ferrum_StorageVolume object path.
func (c call) resolveVolume(ctx context.Context, prop, text string) (backends.Volume, error) {
	st := c.h.Storage()
	if strings.Contains(text, model.ClassVolume) {
		path, err := cim.ParseObjectPath(text)
		if err != nil {
			return backends.Volume{}, invalid("%s %q: %v", prop, text, err)
		}
		return c.volumeAt(ctx, path)
	}
	pools, err := st.ListPools(ctx)
	if err != nil {
		return backends.Volume{}, fmt.Errorf("pools of host %s: %w", c.host, err)
	}
	for _, sp := range pools {
		if name, ok := strings.CutPrefix(text, sp.Name+"/"); ok && !strings.HasPrefix(text, "/") {
			return c.getVolume(ctx, backends.VolumeRef{Pool: sp.Name, Name: name})
		}
		vols, err := st.ListVolumes(ctx, sp.Name)
		if err != nil {
			return backends.Volume{}, fmt.Errorf("volumes of pool %s on host %s: %w", sp.Name, c.host, err)
		}
		for _, v := range vols {
			if v.Path == text {
				return v, nil
			}
		}
	}
	return backends.Volume{}, invalid("%s %q names no volume of host %s", prop, text, c.host)
}

// volumeAt returns the volume a Ferrum_StorageVolume path names; it must
// be on the call's host.
func (c call) volumeAt(ctx context.Context, path cim.ObjectPath) (backends.Volume, error) {
	pool, name, ok := model.ParseVolumeDeviceID(model.KeyString(path, "DeviceID"))
	isVolume := model.Is(path, model.ClassVolume) || strings.EqualFold(model.KeyString(path, "CreationClassName"), model.ClassVolume)
	if !ok || !isVolume {
		return backends.Volume{}, invalid("%s names no storage volume", path)
	}
	if h := model.KeyString(path, "SystemName"); h != c.host {
		return backends.Volume{}, invalid("volume %s is on host %s, not on this service's host %s", path, h, c.host)
	}
	return c.getVolume(ctx, backends.VolumeRef{Pool: pool, Name: name})
}

func (c call) getVolume(ctx context.Context, ref backends.VolumeRef) (backends.Volume, error) {
	v, err := c.h.Storage().GetVolume(ctx, ref)
	if errors.Is(err, backends.ErrNotFound) {
		return backends.Volume{}, invalid("host %s has no volume %s", c.host, ref)
	}
	if err != nil {
		return backends.Volume{}, fmt.Errorf("look up volume %s on host %s: %w", ref, c.host, err)
	}
	return v, nil
}
