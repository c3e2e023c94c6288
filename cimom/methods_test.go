package cimom

import (
	"context"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestInvokeMethod(t *testing.T) {
	d, vms := newTestDispatcher(t)
	ctx := context.Background()
	setting := cim.Embedded(cim.NewInstance("Ex_Setting").Set("InstanceID", cim.String("x")))
	ret, out, err := d.InvokeMethod(ctx, ns, vmPath("vm1"), "requeststatechange", cim.Params{
		{Name: "RequestedState", Value: cim.String("3")}, {Name: "Settings", Value: setting},
	})
	if err != nil || ret.Raw() != uint32(0) || len(out) != 1 {
		t.Fatalf("ret %v out %v err %v", ret, out, err)
	}
	if len(vms.calls) != 1 || vms.calls[0] != `RequestStateChange /root/test:Ex_VM.InstanceID="vm1"` {
		t.Fatalf("calls %v", vms.calls)
	}
	tests := []struct {
		name   string
		path   cim.ObjectPath
		method string
		in     cim.Params
		want   cim.Status
	}{
		{"an unknown method → CIM_ERR_METHOD_NOT_FOUND", vmPath("vm1"), "Explode", nil, cim.ErrMethodNotFound},
		{"an unknown parameter → CIM_ERR_INVALID_PARAMETER", vmPath("vm1"), "RequestStateChange", cim.Params{{Name: "Bogus", Value: cim.Uint16(1)}}, cim.ErrInvalidParameter},
		{"an output-only parameter as input → CIM_ERR_INVALID_PARAMETER", vmPath("vm1"), "RequestStateChange", cim.Params{{Name: "Job", Value: cim.Null(cim.TypeReference)}}, cim.ErrInvalidParameter},
		{"a parameter that cannot take its type → CIM_ERR_INVALID_PARAMETER", vmPath("vm1"), "RequestStateChange", cim.Params{{Name: "RequestedState", Value: cim.String("on")}}, cim.ErrInvalidParameter},
		{"a non-static method on a class path → CIM_ERR_INVALID_PARAMETER", cim.ObjectPath{ClassName: "Ex_VM"}, "RequestStateChange", nil, cim.ErrInvalidParameter},
		{"a method without a provider → CIM_ERR_METHOD_NOT_AVAILABLE", sysPath("host1"), "Reset", nil, cim.ErrMethodNotAvailable},
		{"an unknown class → CIM_ERR_INVALID_CLASS", cim.ObjectPath{ClassName: "Ex_Nope"}, "Reset", nil, cim.ErrInvalidClass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := d.InvokeMethod(ctx, ns, tc.path, tc.method, tc.in)
			wantStatus(t, err, tc.want)
		})
	}
	t.Run("a static method on a class path reaches the provider", func(t *testing.T) {
		_, _, err := d.InvokeMethod(ctx, ns, cim.ObjectPath{ClassName: "Ex_VM"}, "Define", cim.Params{{Name: "Name", Value: cim.String("n")}})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("an inherited method runs on the provider of the instance's class", func(t *testing.T) {
		// Reset is declared on Ex_System; Ex_VM inherits it and its provider runs it.
		_, _, err := d.InvokeMethod(ctx, ns, vmPath("vm2"), "Reset", nil)
		if err != nil {
			t.Fatal(err)
		}
	})
}
