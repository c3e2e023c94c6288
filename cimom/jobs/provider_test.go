package jobs

import (
	"context"
	"slices"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

const ns = "root/virt"

var (
	vmPath = cim.NewInstancePath(ns, "Ferrum_ComputerSystem",
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_ComputerSystem")},
		cim.KeyBinding{Name: "Name", Value: cim.String("6f1c0e2a-1b7e-4a57-9d0e-2c1f0b9c8a71")})
	servicePath = cim.NewInstancePath(ns, "Ferrum_VirtualSystemManagementService",
		cim.KeyBinding{Name: "SystemCreationClassName", Value: cim.String("Ferrum_HostSystem")},
		cim.KeyBinding{Name: "SystemName", Value: cim.String("host1")},
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_VirtualSystemManagementService")},
		cim.KeyBinding{Name: "Name", Value: cim.String("Management Service")})
)

func names(t *testing.T, d *cimom.Dispatcher, ctx context.Context, class string) []string {
	t.Helper()
	var out []string
	err := d.EnumerateInstances(ctx, ns, class, cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		out = append(out, in.Str("InstanceID"))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOwnersSeeTheirJobsAndAdminsSeeAll(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 2)
	d := newDispatcher(t, m)
	quick := func(context.Context, *Progress) (cim.Params, error) { return nil, nil }
	a, _ := m.Start(as("alice"), Spec{Name: "DefineSystem"}, quick)
	b, _ := m.Start(as("bob"), Spec{Name: "DefineSystem"}, quick)
	wait(t, m, a.ID)
	wait(t, m, b.ID)
	tests := []struct {
		name string
		ctx  context.Context
		want []string
	}{
		{"alice sees only her job", as("alice"), []string{a.ID}},
		{"bob sees only his job", as("bob"), []string{b.ID}},
		{"an admin sees every job", as("root", "admin"), []string{a.ID, b.ID}},
		{"an internal call without a principal sees every job", context.Background(), []string{a.ID, b.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(t, d, tt.ctx, "CIM_ConcreteJob"); !slices.Equal(got, tt.want) {
				t.Fatalf("jobs %v, want %v", got, tt.want)
			}
		})
	}
	_, err := d.GetInstance(as("bob"), ns, m.Path(a.ID), cimom.InstanceOptions{})
	if cim.StatusOf(err) != cim.ErrNotFound {
		t.Fatalf("bob's GetInstance of alice's job: %v, want CIM_ERR_NOT_FOUND", err)
	}
}

func TestRequestStateChangeOnJobs(t *testing.T) {
	tests := []struct {
		name     string
		finished bool
		params   cim.Params
		ret      uint32
		state    State
	}{
		{"RequestStateChange(4 Terminate) on a running job → 0, JobState 8", false,
			cim.Params{{Name: "RequestedState", Value: cim.Uint16(4)}}, 0, Terminated},
		{"RequestStateChange(5 Kill) on a running job → 0, JobState 9", false,
			cim.Params{{Name: "RequestedState", Value: cim.Uint16(5)}}, 0, Killed},
		{"RequestStateChange(4) on a finished job → 4097 Invalid State Transition", true,
			cim.Params{{Name: "RequestedState", Value: cim.Uint16(4)}}, 4097, Completed},
		{"RequestStateChange(3 Suspend) → 1 Not Supported", false,
			cim.Params{{Name: "RequestedState", Value: cim.Uint16(3)}}, 1, Running},
		{"RequestStateChange(99) → 5 Invalid Parameter", false,
			cim.Params{{Name: "RequestedState", Value: cim.Uint16(99)}}, 5, Running},
		{"RequestStateChange with a TimeoutPeriod → 4098", false,
			cim.Params{{Name: "RequestedState", Value: cim.Uint16(4)},
				{Name: "TimeoutPeriod", Value: cim.DateTimeValue(cim.MustDatetime("00000000000010.000000:000"))}}, 4098, Running},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManager(t, nil, newFakeClock(), 1)
			d := newDispatcher(t, m)
			g := newGate()
			j, _ := m.Start(as("alice"), Spec{Name: "DestroySystem"}, g.work("undo"))
			<-g.started
			if tt.finished {
				g.release <- nil
				wait(t, m, j.ID)
			}
			ret, _, err := d.InvokeMethod(as("alice"), ns, m.Path(j.ID), "RequestStateChange", tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if ret.Raw() != tt.ret {
				t.Fatalf("returned %v, want %d", ret, tt.ret)
			}
			if got, _ := m.Get(j.ID); got.State != tt.state {
				t.Fatalf("JobState %v, want %v", got.State, tt.state)
			}
			if !tt.state.Finished() {
				g.release <- nil
			}
		})
	}
}

func TestGetErrorsReturnsEmbeddedCIMErrors(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	d := newDispatcher(t, m)
	j, _ := m.Start(context.Background(), Spec{Name: "DefineSystem"}, func(context.Context, *Progress) (cim.Params, error) {
		return nil, cim.Errorf(cim.ErrInvalidParameter, "no pool named fast")
	})
	wait(t, m, j.ID)
	ret, out, err := d.InvokeMethod(context.Background(), ns, m.Path(j.ID), "GetErrors", nil)
	if err != nil || ret.Raw() != uint32(0) {
		t.Fatalf("GetErrors: %v %v", ret, err)
	}
	errs, _ := out.Get("Errors")
	if errs.Len() != 1 {
		t.Fatalf("Errors %v", errs)
	}
	e := errs.Index(0).AsInstance()
	if e.ClassName != "CIM_Error" || e.Str("Message") == "" {
		t.Fatalf("error instance %+v", e)
	}
	if v, _ := e.Get("CIMStatusCode"); v.Raw() != uint32(cim.ErrInvalidParameter) {
		t.Errorf("CIMStatusCode %v", v)
	}
	inst, _ := d.GetInstance(context.Background(), ns, m.Path(j.ID), cimom.InstanceOptions{})
	if v, _ := inst.Get("ErrorCode"); v.Raw() != uint16(cim.ErrInvalidParameter) {
		t.Errorf("ErrorCode %v", v)
	}
}

func TestJobAssociationsInBothDirections(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	d := newDispatcher(t, m)
	j, _ := m.Start(context.Background(), Spec{Name: "DefineSystem", OwningElement: servicePath},
		func(ctx context.Context, p *Progress) (cim.Params, error) {
			p.Affect(vmPath, EffectCreate)
			return nil, nil
		})
	wait(t, m, j.ID)
	tests := []struct {
		name   string
		from   cim.ObjectPath
		assoc  string
		want   cim.ObjectPath
		effect []uint16
	}{
		{"VM → job through AffectedJobElement", vmPath, "CIM_AffectedJobElement", m.Path(j.ID), []uint16{EffectCreate}},
		{"job → VM through AffectedJobElement", m.Path(j.ID), "CIM_AffectedJobElement", vmPath, []uint16{EffectCreate}},
		{"service → job through OwningJobElement", servicePath, "CIM_OwningJobElement", m.Path(j.ID), nil},
		{"job → service through OwningJobElement", m.Path(j.ID), "CIM_OwningJobElement", servicePath, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []cim.ObjectPath
			err := d.AssociatorNames(context.Background(), ns, tt.from, cimom.AssocFilter{AssocClass: tt.assoc}, func(p cim.ObjectPath) bool {
				got = append(got, p)
				return true
			})
			if err != nil || len(got) != 1 || !got[0].Equal(tt.want) {
				t.Fatalf("associators %v, %v; want %v", got, err, tt.want)
			}
			var refs []*cim.Instance
			d.References(context.Background(), ns, tt.from, cimom.AssocFilter{ResultClass: tt.assoc}, cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
				refs = append(refs, in)
				return true
			})
			if len(refs) != 1 {
				t.Fatalf("references %v", refs)
			}
			if tt.effect != nil {
				v, _ := refs[0].Get("ElementEffects")
				if !slices.Equal(u16s(v), tt.effect) {
					t.Errorf("ElementEffects %v", u16s(v))
				}
			}
		})
	}
}

func TestModifyAndDeleteJobs(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	d := newDispatcher(t, m)
	g := newGate()
	j, _ := m.Start(context.Background(), Spec{Name: "DefineSystem"}, g.work())
	<-g.started
	err := d.DeleteInstance(context.Background(), ns, m.Path(j.ID))
	if cim.StatusOf(err) != cim.ErrFailed {
		t.Fatalf("deleting a running job: %v, want CIM_ERR_FAILED", err)
	}
	mod := cim.NewInstance("Ferrum_ConcreteJob").Set("DeleteOnCompletion", cim.Bool(false)).
		Set("TimeBeforeRemoval", cim.DateTimeValue(cim.NewInterval(0)))
	if err := d.ModifyInstance(context.Background(), ns, m.Path(j.ID), mod, []string{"DeleteOnCompletion"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Get(j.ID); got.DeleteOnCompletion {
		t.Fatal("DeleteOnCompletion still true")
	}
	bad := cim.NewInstance("Ferrum_ConcreteJob").Set("Name", cim.String("renamed"))
	if err := d.ModifyInstance(context.Background(), ns, m.Path(j.ID), bad, nil); cim.StatusOf(err) != cim.ErrNotSupported {
		t.Fatalf("modifying Name: %v", err)
	}
	g.release <- nil
	wait(t, m, j.ID)
	if err := d.DeleteInstance(context.Background(), ns, m.Path(j.ID)); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Get(j.ID); ok {
		t.Fatal("deleted job still there")
	}
}

func TestJobCapabilities(t *testing.T) {
	m := newManager(t, nil, newFakeClock(), 1)
	d := newDispatcher(t, m)
	in, err := d.GetInstance(context.Background(), ns, m.CapabilitiesPath(), cimom.InstanceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := in.Get("RequestedStatesSupported")
	if del, _ := in.Get("DeleteJobSupported"); del.Raw() != true || !slices.Equal(u16s(rs), []uint16{4, 5}) {
		t.Fatalf("capabilities %+v", in)
	}
}
