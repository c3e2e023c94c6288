package poolconfig

import (
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestCreateDirPoolAllocatedFromPrimordialThenDelete(t *testing.T) {
	f := newFixture(t, 1, true)
	out := f.invokeJob("CreateChildResourcePool", createPoolParams(f.host, "images", "/var/lib/ferrum/images"))
	pool := refOut(t, out, "Pool")
	if !pool.Equal(diskPool(f.host, "images")) {
		t.Fatalf("Pool %s, want %s", pool, diskPool(f.host, "images"))
	}
	sp, err := f.storage().GetPool(f.Ctx, "images")
	if err != nil || sp.Type != "dir" || sp.Path != "/var/lib/ferrum/images" || sp.Capacity != 100*gib {
		t.Fatalf("backend pool %+v, %v", sp, err)
	}
	in := f.Get(pool)
	if in.ClassName != model.ClassDiskPool || in.Str("ResourceSubType") != "dir" || uintOf(in, "Capacity") != 100*gib {
		t.Fatalf("pool instance %v", in)
	}
	if v, _ := in.Get("Primordial"); v.Raw() != false {
		t.Errorf("Primordial %v", v)
	}
	if got := f.Associators(pool, model.AssocAllocatedFromPool, model.ClassDiskPool); !slices.Contains(got, primordial(f.host).Canonical()) {
		t.Errorf("pool allocated from %v, want the primordial pool", got)
	}
	if got := f.Associators(primordial(f.host), model.AssocAllocatedFromPool, model.ClassDiskPool); !slices.Contains(got, pool.Canonical()) {
		t.Errorf("primordial pool's children %v lack the new pool", got)
	}
	if got := f.Associators(model.HostPath(f.host), model.AssocHostedPool, model.ClassDiskPool); !slices.Contains(got, pool.Canonical()) {
		t.Errorf("host's pools %v lack the new pool", got)
	}
	j := f.Finish(out)
	if !j.OwningElement.Equal(ServicePath(f.host)) {
		t.Errorf("job owned by %s", j.OwningElement)
	}

	f.invokeJob("DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(pool)}})
	if _, err := f.storage().GetPool(f.Ctx, "images"); err == nil {
		t.Fatal("pool still in the backend after DeleteResourcePool")
	}
	if _, err := f.get(pool); cim.StatusOf(err) != cim.ErrNotFound {
		t.Errorf("get deleted pool: %v", err)
	}
}

func TestCreateNetFSPoolAndSizeFromDefaults(t *testing.T) {
	f := newFixture(t, 1, true)
	in := cim.Params{
		{Name: "ElementName", Value: cim.String("nfs")},
		{Name: "Settings", Value: embeddedArray(poolSettings(map[string]cim.Value{
			"PoolType": cim.Uint16(3), "Path": cim.String("/mnt/nfs"),
			"Host": cim.String("filer.example"), "SourceDirectory": cim.String("/export/vm")}))},
	}
	f.invokeJob("CreateChildResourcePool", in)
	sp, err := f.storage().GetPool(f.Ctx, "nfs")
	if err != nil || sp.Type != "netfs" || sp.Source != "filer.example:/export/vm" || sp.Path != "/mnt/nfs" {
		t.Fatalf("netfs pool %+v, %v", sp, err)
	}
}

func TestInlineWithoutJobManagerAnswersZero(t *testing.T) {
	f := newFixture(t, 1, false)
	code, out := f.invoke("CreateChildResourcePool", createPoolParams(f.host, "fast", "/srv/fast"))
	if code != 0 || !refOut(t, out, "Pool").Equal(diskPool(f.host, "fast")) {
		t.Fatalf("inline CreateChildResourcePool: %d %v", code, out)
	}
	if _, err := f.storage().GetPool(f.Ctx, "fast"); err != nil {
		t.Fatal(err)
	}
}

func TestBadPoolRequestsChangeNothing(t *testing.T) {
	f := newFixture(t, 2, true)
	other := f.DC.Host(1).ID()
	settings := func(props map[string]cim.Value) cim.Param {
		return cim.Param{Name: "Settings", Value: embeddedArray(poolSettings(props))}
	}
	dir := map[string]cim.Value{"PoolType": cim.Uint16(1), "Path": cim.String("/srv/p")}
	name := cim.Param{Name: "ElementName", Value: cim.String("p")}
	with := func(extra map[string]cim.Value) map[string]cim.Value {
		m := map[string]cim.Value{}
		for k, v := range dir {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	// a volume in "default" used by a VM, so that pool is in use
	vol, err := f.storage().CreateVolume(f.Ctx, "default", backendsVolumeSpec("root", 8*gib))
	if err != nil {
		t.Fatal(err)
	}
	defineVMWith(t, f, "web01", vol.Ref)
	tests := []struct {
		name   string
		method string
		in     cim.Params
		want   uint32
	}{
		{"no settings", "CreateChildResourcePool", cim.Params{name}, 5},
		{"settings of the wrong class", "CreateChildResourcePool", cim.Params{name,
			{Name: "Settings", Value: embeddedArray(volSettings(map[string]cim.Value{"VolumeName": cim.String("x")}))}}, 5},
		{"settings not embedded", "CreateChildResourcePool", cim.Params{name,
			{Name: "Settings", Value: cim.StringArray("PoolType=1")}}, 5},
		{"two settings", "CreateChildResourcePool", cim.Params{name,
			{Name: "Settings", Value: embeddedArray(poolSettings(dir), poolSettings(dir))}}, 5},
		{"no name", "CreateChildResourcePool", cim.Params{settings(dir)}, 5},
		{"name with a slash", "CreateChildResourcePool", cim.Params{{Name: "ElementName", Value: cim.String("a/b")}, settings(dir)}, 5},
		{"duplicate name", "CreateChildResourcePool", cim.Params{{Name: "ElementName", Value: cim.String("default")}, settings(dir)}, 5},
		{"no path", "CreateChildResourcePool", cim.Params{name, settings(map[string]cim.Value{"PoolType": cim.Uint16(1)})}, 5},
		{"relative path", "CreateChildResourcePool", cim.Params{name, settings(with(map[string]cim.Value{"Path": cim.String("srv/p")}))}, 5},
		{"nfs without server", "CreateChildResourcePool", cim.Params{name, settings(with(map[string]cim.Value{
			"PoolType": cim.Uint16(3), "SourceDirectory": cim.String("/export")}))}, 5},
		{"unknown pool type", "CreateChildResourcePool", cim.Params{name, settings(with(map[string]cim.Value{"PoolType": cim.Uint16(42)}))}, 5},
		{"type the host lacks", "CreateChildResourcePool", cim.Params{name, settings(with(map[string]cim.Value{
			"PoolType": cim.Uint16(6), "SourceName": cim.String("vg0")}))}, 1},
		{"capacity 0", "CreateChildResourcePool", cim.Params{name, settings(with(map[string]cim.Value{"VirtualQuantity": cim.Uint64(0)}))}, 5},
		{"parent a concrete pool", "CreateChildResourcePool", cim.Params{name, settings(dir),
			{Name: "ParentPool", Value: cim.RefArray(diskPool(f.host, "default"))}}, 5},
		{"parent of another host", "CreateChildResourcePool", cim.Params{name, settings(dir),
			{Name: "ParentPool", Value: cim.RefArray(primordial(other))}}, 5},
		{"too big for the host", "CreateChildResourcePool", cim.Params{name, settings(with(map[string]cim.Value{
			"VirtualQuantity": cim.Uint64(1 << 20), "AllocationUnits": cim.String("byte*2^30")}))}, 4096},

		{"delete without a pool", "DeleteResourcePool", nil, 5},
		{"delete the primordial pool", "DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(primordial(f.host))}}, 5},
		{"delete an unknown pool", "DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(diskPool(f.host, "nope"))}}, 5},
		{"delete a pool of another host", "DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(diskPool(other, "default"))}}, 5},
		{"delete a processor pool", "DeleteResourcePool", cim.Params{{Name: "Pool",
			Value: cim.Ref(model.PoolPath(model.KindProcessor, model.PoolID(f.host, model.KindProcessor, "default")))}}, 1},
		{"delete a pool holding volumes", "DeleteResourcePool", cim.Params{{Name: "Pool", Value: cim.Ref(diskPool(f.host, "default"))}}, 6},
	}
	defer func() { f.T = t }()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.T = t
			if tt.want != 4096 {
				f.refused(tt.method, tt.in, tt.want)
				return
			}
			// accepted, then refused by the backend: the job fails and
			// nothing stays
			before := f.state()
			code, out := f.invoke(tt.method, tt.in)
			if code != 4096 {
				t.Fatalf("%s returned %d, want 4096", tt.method, code)
			}
			if j := f.Finish(out); j.State != jobs.Exception || j.ErrorCode != 8 {
				t.Fatalf("job %v ErrorCode %d, want Exception with 8 Insufficient Resources", j.State, j.ErrorCode)
			}
			if after := f.state(); after != before {
				t.Fatalf("state changed:\n%s\n→\n%s", before, after)
			}
		})
	}
	if !containsAll(f.log.String(), "pool default still holds 1 volumes, 1 of them attached to VMs", "web01") {
		t.Errorf("the refusal to delete a pool in use does not say why:\n%s", f.log)
	}
}
