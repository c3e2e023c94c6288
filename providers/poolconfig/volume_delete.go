package poolconfig

import (
	"context"
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// deleteVolume serves DeleteResourceInPool: a volume no VM uses and no
// linked clone is backed by is deleted in a job. A volume attached to a
// VM, or the backing file of clones, is refused at once (6 In Use).
func (c call) deleteVolume(ctx context.Context) (cim.Value, cim.Params, error) {
	r, ok := c.ref("Resource")
	if !ok {
		return c.fail(ctx, invalid("Resource is required: a reference to a Ferrum_StorageVolume"))
	}
	vol, err := c.volumeAt(ctx, r)
	if err != nil {
		return c.fail(ctx, err)
	}
	if _, given := c.ref("Pool"); given {
		pool, err := c.poolParam(ctx, "Pool")
		if err != nil {
			return c.fail(ctx, err)
		}
		if pool != vol.Ref.Pool {
			return c.fail(ctx, invalid("volume %s is in pool %s, not in pool %s", vol.Ref, vol.Ref.Pool, pool))
		}
	}
	users, err := c.users(ctx)
	if err != nil {
		return c.fail(ctx, err)
	}
	if u := users.of(vol); len(u) > 0 {
		return c.fail(ctx, model.Fail(model.Busy, "volume %s is attached to %v; remove the disk from the VM first", vol.Ref, u))
	}
	if vol.Dependants > 0 {
		return c.fail(ctx, model.Fail(model.Busy, "volume %s is the backing file of %d linked clones; delete them first",
			vol.Ref, vol.Dependants))
	}
	ref := vol.Ref
	st := c.h.Storage()
	js := c.spec("delete volume "+ref.String(), jobs.EffectElementIntegrity, model.VolumePath(c.host, ref.Pool, ref.Name))
	return c.run(ctx, js, nil, func(ctx context.Context, pr *jobs.Progress) (cim.Params, error) {
		pr.Status("deleting volume %s", ref)
		if err := st.DeleteVolume(ctx, ref); err != nil {
			return nil, fmt.Errorf("delete volume %s on host %s: %w", ref, c.host, err)
		}
		return nil, nil
	})
}
