package poolconfig

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func createVolumeParams(pool cim.ObjectPath, props map[string]cim.Value) cim.Params {
	return cim.Params{{Name: "Settings", Value: cim.Embedded(volSettings(props))}, {Name: "Pool", Value: cim.Ref(pool)}}
}

func deleteVolumeParams(vol, pool cim.ObjectPath) cim.Params {
	return cim.Params{{Name: "Resource", Value: cim.Ref(vol)}, {Name: "Pool", Value: cim.Ref(pool)}}
}

// withPool creates the dir pool "images" on host 0 through the service.
func withPool(t *testing.T, f *fixture) cim.ObjectPath {
	t.Helper()
	return refOut(t, f.invokeJob("CreateChildResourcePool", createPoolParams(f.host, "images", "/var/lib/ferrum/images")), "Pool")
}

func TestVolumeLifecycleWithFullAndLinkedClones(t *testing.T) {
	f := newFixture(t, 1, true)
	pool := withPool(t, f)

	out := f.invokeJob("CreateResourceInPool", createVolumeParams(pool, map[string]cim.Value{
		"VolumeName": cim.String("base"), "VirtualQuantity": cim.Uint64(10), "AllocationUnits": cim.String("byte*2^30"),
		"FormatType": cim.String("qcow2")}))
	base := refOut(t, out, "Resource")
	if !base.Equal(model.VolumePath(f.host, "images", "base")) {
		t.Fatalf("Resource %s", base)
	}
	in := f.Get(base)
	if in.ClassName != model.ClassVolume || uintOf(in, "NumberOfBlocks")*uintOf(in, "BlockSize") != 10*gib {
		t.Fatalf("volume instance %v", in)
	}
	bv, err := f.storage().GetVolume(f.Ctx, backends.VolumeRef{Pool: "images", Name: "base"})
	if err != nil || bv.Format != "qcow2" || bv.Capacity != 10*gib || bv.Allocation >= bv.Capacity {
		t.Fatalf("backend volume %+v, %v (want sparse qcow2)", bv, err)
	}
	if got := f.Associators(pool, model.AssocConcreteComponent, model.ClassVolume); !slices.Equal(got, []string{base.Canonical()}) {
		t.Errorf("pool holds %v", got)
	}

	// a full copy, named by the volume's object path
	full := refOut(t, f.invokeJob("CreateResourceInPool", createVolumeParams(pool, map[string]cim.Value{
		"VolumeName": cim.String("copy"), "HostResource": cim.StringArray(base.String())})), "Resource")
	cv, err := f.storage().GetVolume(f.Ctx, backends.VolumeRef{Pool: "images", Name: "copy"})
	if err != nil || cv.Backing != nil || cv.Capacity != 10*gib || cv.Format != "qcow2" {
		t.Fatalf("full clone %+v, %v", cv, err)
	}
	// a linked clone, named by the source's path, grown to 20 GiB, in the default pool
	linked := refOut(t, f.invokeJob("CreateResourceInPool", createVolumeParams(diskPool(f.host, "default"), map[string]cim.Value{
		"VolumeName": cim.String("overlay"), "BackingPath": cim.String(bv.Path),
		"VirtualQuantity": cim.Uint64(20 * gib)})), "Resource")
	lv, err := f.storage().GetVolume(f.Ctx, backends.VolumeRef{Pool: "default", Name: "overlay"})
	if err != nil || lv.Backing == nil || *lv.Backing != bv.Ref || lv.Capacity != 20*gib || lv.Format != "qcow2" {
		t.Fatalf("linked clone %+v, %v", lv, err)
	}
	if in := f.Get(linked); uintOf(in, "NumberOfBlocks") != 20*gib {
		t.Errorf("linked clone instance %v", in)
	}

	// the base backs the overlay: refused until the overlay is gone
	f.refused("DeleteResourceInPool", deleteVolumeParams(base, pool), 6)
	f.invokeJob("DeleteResourceInPool", deleteVolumeParams(linked, diskPool(f.host, "default")))
	f.invokeJob("DeleteResourceInPool", deleteVolumeParams(full, pool))
	f.invokeJob("DeleteResourceInPool", cim.Params{{Name: "Resource", Value: cim.Ref(base)}})
	for _, v := range []cim.ObjectPath{base, full, linked} {
		if _, err := f.get(v); cim.StatusOf(err) != cim.ErrNotFound {
			t.Errorf("get deleted %s: %v", v, err)
		}
	}
	f.invokeJob("DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(pool)}})
	for _, p := range f.Enumerate(model.ClassDiskPool) {
		if p.Str("InstanceID") == model.InstanceIDOf(pool) {
			t.Fatal("deleted pool still enumerated")
		}
	}
}

func TestBadVolumeRequestsChangeNothing(t *testing.T) {
	f := newFixture(t, 2, true)
	pool := withPool(t, f)
	other := f.DC.Host(1).ID()
	st := f.storage()
	src, err := st.CreateVolume(f.Ctx, "images", backends.VolumeSpec{Name: "src", Capacity: 10 * gib})
	if err != nil {
		t.Fatal(err)
	}
	root, err := st.CreateVolume(f.Ctx, "images", backends.VolumeSpec{Name: "root", Capacity: 8 * gib})
	if err != nil {
		t.Fatal(err)
	}
	vm := defineVMWith(t, f, "web01", root.Ref)
	if err := f.DC.Host(0).VMs().Start(f.Ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	srcPath := model.VolumePath(f.host, "images", "src")
	rootPath := model.VolumePath(f.host, "images", "root")
	vol := func(props map[string]cim.Value) cim.Params { return createVolumeParams(pool, props) }
	sized := func(name string) map[string]cim.Value {
		return map[string]cim.Value{"VolumeName": cim.String(name), "VirtualQuantity": cim.Uint64(gib)}
	}
	tests := []struct {
		name   string
		method string
		in     cim.Params
		want   uint32
	}{
		{"no settings", "CreateResourceInPool", cim.Params{{Name: "Pool", Value: cim.Ref(pool)}}, 5},
		{"settings of the wrong class", "CreateResourceInPool", cim.Params{
			{Name: "Settings", Value: cim.Embedded(poolSettings(map[string]cim.Value{"Path": cim.String("/x")}))},
			{Name: "Pool", Value: cim.Ref(pool)}}, 5},
		{"no pool", "CreateResourceInPool", cim.Params{{Name: "Settings", Value: cim.Embedded(volSettings(sized("a")))}}, 5},
		{"unknown pool", "CreateResourceInPool", createVolumeParams(diskPool(f.host, "nope"), sized("a")), 5},
		{"primordial pool", "CreateResourceInPool", createVolumeParams(primordial(f.host), sized("a")), 5},
		{"pool of another host", "CreateResourceInPool", createVolumeParams(diskPool(other, "default"), sized("a")), 5},
		{"no name", "CreateResourceInPool", vol(map[string]cim.Value{"VirtualQuantity": cim.Uint64(gib)}), 5},
		{"no capacity", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a")}), 5},
		{"capacity 0", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"), "VirtualQuantity": cim.Uint64(0)}), 5},
		{"units not bytes", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"VirtualQuantity": cim.Uint64(1), "AllocationUnits": cim.String("percent")}), 5},
		{"duplicate name", "CreateResourceInPool", vol(sized("src")), 5},
		{"unknown format", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"VirtualQuantity": cim.Uint64(gib), "FormatType": cim.String("vmdk")}), 5},
		{"clone of a missing volume", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"HostResource": cim.StringArray("/nowhere/disk.img")}), 5},
		{"clone smaller than its source", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"HostResource": cim.StringArray(srcPath.String()), "VirtualQuantity": cim.Uint64(gib)}), 5},
		{"raw linked clone", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"BackingPath": cim.String(src.Path), "FormatType": cim.String("raw")}), 5},
		{"two different sources", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"BackingPath": cim.String(src.Path), "HostResource": cim.StringArray(root.Path)}), 5},
		{"clone of a running VM's disk", "CreateResourceInPool", vol(map[string]cim.Value{"VolumeName": cim.String("a"),
			"HostResource": cim.StringArray("images/root")}), 6},

		{"delete without a resource", "DeleteResourceInPool", cim.Params{{Name: "Pool", Value: cim.Ref(pool)}}, 5},
		{"delete an unknown volume", "DeleteResourceInPool", deleteVolumeParams(model.VolumePath(f.host, "images", "nope"), pool), 5},
		{"delete in the wrong pool", "DeleteResourceInPool", deleteVolumeParams(srcPath, diskPool(f.host, "default")), 5},
		{"delete a volume of another host", "DeleteResourceInPool", cim.Params{{Name: "Resource",
			Value: cim.Ref(model.VolumePath(other, "images", "src"))}}, 5},
		{"delete a volume attached to a VM", "DeleteResourceInPool", deleteVolumeParams(rootPath, pool), 6},
	}
	defer func() { f.T = t }()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.T = t
			f.refused(tt.method, tt.in, tt.want)
		})
	}
	f.T = t
	if !containsAll(f.log.String(), "volume images/root is attached to [vm web01 ("+vm.UUID+")]") {
		t.Errorf("the refusal to delete an attached volume does not say why:\n%s", f.log)
	}
	// once the VM is gone, the same volume can be deleted
	if err := f.DC.Host(0).VMs().Stop(f.Ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	if err := f.DC.Host(0).VMs().Undefine(f.Ctx, vm.UUID); err != nil {
		t.Fatal(err)
	}
	f.invokeJob("DeleteResourceInPool", deleteVolumeParams(rootPath, pool))
}
