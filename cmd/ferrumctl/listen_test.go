package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/store"
	indprov "github.com/ferrum-virt/ferrum/providers/indication"
)

// TestListenPrintsLifecycleIndicationsAndUnsubscribes runs the built
// ferrumctl listen against a CIM-XML server, drives define → start → stop →
// destroy through the dispatcher, reads the JSON lines, and checks that
// SIGINT deletes the subscription.
func TestListenPrintsLifecycleIndicationsAndUnsubscribes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the ferrumctl binary; run without -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "ferrumctl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	raw := cimom.SQLStore{S: st}
	d := cimom.New(r, raw)
	_, svc, err := indprov.Register(ctx, d, nil, indprov.Config{Host: "test", Store: raw}, indication.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	d.Store = indication.ObserveStore(raw, svc, indication.SkipInterop)
	h := cimxml.NewHandler(d, cimxml.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{User: "alice"})))
	}))
	defer srv.Close()

	cmd := exec.Command(bin, "listen", "--url", srv.URL, "--query", "SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(os.Stderr, "listen:", sc.Text())
			if strings.HasPrefix(sc.Text(), "listening on") {
				ready <- sc.Text()
			}
		}
		close(ready)
	}()
	select {
	case line, ok := <-ready:
		if !ok {
			t.Fatalf("ferrumctl listen ended before subscribing: %s", line)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("ferrumctl listen did not subscribe")
	}
	requireLifecycleLines(t, ctx, d, stdout)
	_ = cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ferrumctl listen: %v", err)
	}
	n := 0
	_ = d.EnumerateInstances(ctx, cimom.InteropNamespace, "CIM_IndicationSubscription", cimom.InstanceOptions{}, func(cim.ObjectPath, *cim.Instance) bool { n++; return true })
	if n != 0 {
		t.Errorf("%d subscriptions left after the listener ended", n)
	}
}

// requireLifecycleLines defines, starts, stops and deletes a store-backed
// VM through d and requires listen to print, on stdout, its creation, two
// modifications and its deletion in order, as JSON lines whose
// SourceInstance is the Ferrum_ComputerSystem and whose SequenceNumbers
// count from 0.
func requireLifecycleLines(t *testing.T, ctx context.Context, d *cimom.Dispatcher, stdout io.Reader) {
	t.Helper()
	path, err := d.CreateInstance(ctx, "root/virt", cim.NewInstance("Ferrum_ComputerSystem").
		Set("CreationClassName", cim.String("Ferrum_ComputerSystem")).Set("Name", cim.String("vm1")).Set("EnabledState", cim.Uint16(3)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []uint16{2, 3} {
		if err := d.ModifyInstance(ctx, "root/virt", path, cim.NewInstance("Ferrum_ComputerSystem").Set("EnabledState", cim.Uint16(s)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.DeleteInstance(ctx, "root/virt", path); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	want := []string{"CIM_InstCreation", "CIM_InstModification", "CIM_InstModification", "CIM_InstDeletion"}
	for i, class := range want {
		var line string
		select {
		case line = <-lines:
		case <-time.After(60 * time.Second):
			t.Fatalf("line %d did not arrive", i)
		}
		var got struct {
			Class      string
			Properties map[string]any
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i, err, line)
		}
		src, _ := got.Properties["SourceInstance"].(map[string]any)
		if got.Class != class || src == nil || src["class"] != "Ferrum_ComputerSystem" || got.Properties["SequenceNumber"] != fmt.Sprint(i) {
			t.Fatalf("line %d: %s", i, line)
		}
	}
}
