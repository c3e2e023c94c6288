package virt

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

func TestExtensionsAddInstancesLinksAndMethods(t *testing.T) {
	f := newFixture(t, 1)
	h := f.host(0).ID()
	vm := f.define(0, f.webSpec(0, "web01"))
	snap := cim.NewInstance(model.ClassVSSD).
		Set("InstanceID", cim.String("Ferrum:"+vm.UUID+"/snapshot/1")).
		Set("ElementName", cim.String("before upgrade"))
	snapPath := cim.NewInstancePath(ns, model.ClassVSSD, cim.KeyBinding{Name: "InstanceID", Value: cim.String(snap.Str("InstanceID"))})
	err := f.p.Extend(model.ClassVSSD, Extension{
		Enumerate: func(_ context.Context, yield func(*cim.Instance) bool) error { yield(snap); return nil },
		Get: func(_ context.Context, p cim.ObjectPath) (*cim.Instance, error) {
			if model.InstanceIDOf(p) == snap.Str("InstanceID") {
				return snap, nil
			}
			return nil, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	service := cim.NewInstancePath(ns, "Ferrum_VirtualSystemSnapshotService",
		cim.KeyBinding{Name: "SystemCreationClassName", Value: cim.String(model.ClassHost)},
		cim.KeyBinding{Name: "SystemName", Value: cim.String(h)},
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_VirtualSystemSnapshotService")},
		cim.KeyBinding{Name: "Name", Value: cim.String("Snapshot Service")})
	hosted := provkit.Link(model.AssocHostedService, "Antecedent", model.HostPath(h), "Dependent", service)
	f.p.Extend(model.AssocHostedService, Extension{
		Enumerate: func(_ context.Context, yield func(*cim.Instance) bool) error { yield(hosted); return nil },
	})
	defined := false
	f.p.Extend(model.ClassVSMS, Extension{
		Invoke: func(_ context.Context, _ cim.ObjectPath, m *cim.Method, in cim.Params) (cim.Value, cim.Params, bool, error) {
			v, _ := in.Get("SystemSettings")
			if !strings.EqualFold(m.Name, "DefineSystem") || v.AsInstance() == nil || v.AsInstance().ClassName != "Ferrum_VirtualEthernetSwitchSettingData" {
				return cim.Value{}, nil, false, nil
			}
			defined = true
			return cim.Uint32(0), nil, true, nil
		},
	})
	if err := f.p.Extend("Ferrum_NoSuchClass", Extension{}); err == nil {
		t.Error("extending a class this package does not serve succeeded")
	}

	var ids []string
	for _, in := range f.enumerate(model.ClassVSSD) {
		ids = append(ids, in.Str("InstanceID"))
	}
	if !slices.Contains(ids, snap.Str("InstanceID")) || !slices.Contains(ids, model.VSSDInstanceID(vm.UUID)) {
		t.Fatalf("VSSDs %v", ids)
	}
	if got := f.get(snapPath); got.Str("ElementName") != "before upgrade" {
		t.Fatalf("snapshot %+v", got)
	}
	if got := f.associators(model.HostPath(h), model.AssocHostedService, ""); !slices.Equal(got, canon(model.VSMSPath(h), service)) {
		t.Fatalf("hosted services %v", got)
	}
	sw := cim.NewInstance("Ferrum_VirtualEthernetSwitchSettingData").Set("ElementName", cim.String("dmz"))
	if ret, _ := f.invoke(model.VSMSPath(h), "DefineSystem", cim.Params{{Name: "SystemSettings", Value: cim.Embedded(sw)}}); ret != 0 || !defined {
		t.Fatalf("switch DefineSystem: %d, handled %v", ret, defined)
	}
	if ret, _ := f.invoke(model.VSMSPath(h), "DefineSystem", defineParams(vssdRequest("vm2"), procRequest(1))); ret != 4096 {
		t.Fatalf("VM DefineSystem after the extension: %d", ret)
	}
}
