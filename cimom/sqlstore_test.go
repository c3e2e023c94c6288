package cimom

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// TestStateSurvivesRestart runs the dispatcher over the SQLite store,
// reopens everything, and finds store-kept instances and client-created
// classes again.
func TestStateSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "ferrum.db")
	open := func() (*Dispatcher, *store.Store) {
		s, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := newTestDispatcher(t)
		a := SQLStore{S: s}
		d.Store, d.Schema = a, a
		if err := a.LoadRuntimeSchema(ctx, d.Repo); err != nil {
			t.Fatal(err)
		}
		return d, s
	}
	d, s := open()
	decl := &cim.Class{Name: "Ex_Mine", SuperClass: "Ex_Setting", Properties: []*cim.Property{{Name: "Color", Type: cim.TypeString}}}
	if err := d.CreateClass(ctx, ns, decl); err != nil {
		t.Fatal(err)
	}
	inst := cim.NewInstance("Ex_Mine").Set("InstanceID", cim.String("m1")).Set("Name", cim.String("n")).Set("Color", cim.String("red"))
	path, err := d.CreateInstance(ctx, ns, inst)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.CreateInstance(ctx, ns, inst)
	wantStatus(t, err, cim.ErrAlreadyExists)
	s.Close()

	d, s = open()
	defer s.Close()
	got, err := d.GetInstance(ctx, ns, path, InstanceOptions{})
	if err != nil || got.Str("Color") != "red" {
		t.Fatalf("after restart: %v %v", got, err)
	}
	if _, err := d.GetClass(ctx, ns, "Ex_Mine", ClassOptions{}); err != nil {
		t.Fatalf("client class lost: %v", err)
	}
	if err := d.DeleteInstance(ctx, ns, path); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, d.DeleteInstance(ctx, ns, path), cim.ErrNotFound)
}
