package main

import (
	"path/filepath"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// pools creates a dir pool, a volume in it and a full clone of that
// volume, then deletes them.
func (sc *scenario) pools() {
	svc, ok := sc.service(classPoolService)
	if !ok {
		sc.t.Skipf("host %s has no pool configuration service", sc.host)
	}
	name := sc.name + "-pool"
	out, _ := sc.run(svc, "CreateChildResourcePool", poolParams(sc.host, name, filepath.Join(sc.t.TempDir(), name), 1))
	pool := outRef(sc.t, out, "Pool")
	if !samePath(pool, model.PoolPath(model.KindDisk, model.PoolID(sc.host, model.KindDisk, name))) {
		sc.t.Fatalf("Pool %s", pool)
	}
	sc.get(pool)
	sc.requireLinked(model.HostPath(sc.host), model.AssocHostedPool, pool, true)

	base := sc.createVolume(svc, pool, "base", func(r *cim.Instance) {
		r.Set("VolumeName", cim.String("base")).Set("VirtualQuantity", cim.Uint64(16)).Set("AllocationUnits", cim.String("byte*2^20"))
	})
	if got := sc.get(base); mustProp(got, "NumberOfBlocks")*mustProp(got, "BlockSize") != 16<<20 {
		sc.t.Fatalf("volume of %d blocks of %d bytes, want 16 MiB", mustProp(got, "NumberOfBlocks"), mustProp(got, "BlockSize"))
	}
	clone := sc.createVolume(svc, pool, "copy", func(r *cim.Instance) {
		r.Set("VolumeName", cim.String("copy")).Set("HostResource", cim.StringArray(model.VolumePath(sc.host, name, "base").String()))
	})
	if got := sc.get(clone); mustProp(got, "NumberOfBlocks")*mustProp(got, "BlockSize") != 16<<20 {
		sc.t.Fatalf("clone of %d blocks of %d bytes, want the base's 16 MiB", mustProp(got, "NumberOfBlocks"), mustProp(got, "BlockSize"))
	}
	sc.poolRefusals(svc, pool, base)
	for _, v := range []cim.ObjectPath{clone, base} {
		sc.run(svc, "DeleteResourceInPool", cim.Params{{Name: "Resource", Value: cim.Ref(v)}, {Name: "Pool", Value: cim.Ref(pool)}})
		sc.gone(v)
	}
	sc.run(svc, "DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(pool)}})
	sc.gone(pool)
	sc.requireLinked(model.HostPath(sc.host), model.AssocHostedPool, pool, false)
}

// createVolume creates a volume in pool and requires it named vol, held by
// the pool (ConcreteComponent).
func (sc *scenario) createVolume(svc, pool cim.ObjectPath, vol string, set func(*cim.Instance)) cim.ObjectPath {
	sc.t.Helper()
	out, _ := sc.run(svc, "CreateResourceInPool", volumeParams(pool, set))
	v := outRef(sc.t, out, "Resource")
	_, _, name, _ := model.ParsePoolID(model.InstanceIDOf(pool))
	if !samePath(v, model.VolumePath(sc.host, name, vol)) {
		sc.t.Fatalf("Resource %s, want volume %s of pool %s", v, vol, name)
	}
	sc.requireLinked(pool, model.AssocConcreteComponent, v, true)
	return v
}

func (sc *scenario) poolRefusals(svc, pool, base cim.ObjectPath) {
	missing := model.VolumePath(sc.host, "no-such-pool", "x")
	sc.requireRefusals([]refusal{
		{name: "delete a pool holding volumes", target: svc, method: "DeleteResourcePool",
			in: cim.Params{{Name: "Pool", Value: cim.Ref(pool)}}, code: 6},
		{name: "a volume in an unknown pool", target: svc, method: "CreateResourceInPool",
			in: volumeParams(model.PoolPath(model.KindDisk, model.PoolID(sc.host, model.KindDisk, "no-such-pool")), func(r *cim.Instance) {
				r.Set("VolumeName", cim.String("x")).Set("VirtualQuantity", cim.Uint64(1))
			}), code: 5},
		{name: "a volume whose name is taken", target: svc, method: "CreateResourceInPool",
			in: volumeParams(pool, func(r *cim.Instance) { r.Set("VolumeName", cim.String("base")).Set("VirtualQuantity", cim.Uint64(1)) }), code: 5},
		{name: "delete an unknown volume", target: svc, method: "DeleteResourceInPool",
			in: cim.Params{{Name: "Resource", Value: cim.Ref(missing)}}, code: 5},
		{name: "a pool without Settings", target: svc, method: "CreateChildResourcePool",
			in: cim.Params{{Name: "ElementName", Value: cim.String(sc.name + "-refused")}}, code: 5},
		{name: "on the service of an unknown host", target: onHost(svc, "no-such-host"), method: "DeleteResourcePool",
			in: cim.Params{{Name: "Pool", Value: cim.Ref(pool)}}, status: cim.ErrNotFound},
		{name: "Pool as text, not a reference", target: svc, method: "DeleteResourcePool",
			in: cim.Params{{Name: "Pool", Value: cim.String(model.InstanceIDOf(pool))}}, code: 5, status: cim.ErrInvalidParameter},
		{name: "CreateResourceInPool without Pool", target: svc, method: "CreateResourceInPool",
			in: volumeParams(pool, func(r *cim.Instance) { r.Set("VolumeName", cim.String("y")) })[:1], code: 5},
	}, func() {
		sc.get(pool)
		sc.get(base)
		if got := sc.assoc(pool, model.AssocConcreteComponent, model.ClassVolume); len(got) != 2 {
			sc.t.Fatalf("pool holds %v after a refusal, want base and copy", got)
		}
		sc.gone(model.PoolPath(model.KindDisk, model.PoolID(sc.host, model.KindDisk, sc.name+"-refused")))
	})
}
