package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/store"
	indprov "github.com/ferrum-virt/ferrum/providers/indication"
	"github.com/ferrum-virt/ferrum/wsman"
)

// TestListenWSManPrintsLifecycleIndicationsAndUnsubscribes runs the built
// ferrumctl listen --protocol wsman against a WS-Management server whose
// indication provider delivers through wsman.Deliverer: it subscribes with
// WS-Eventing (PushWithAck), prints define → start → stop → destroy as
// JSON lines in order, and SIGINT unsubscribes, deleting the filter, the
// destination and the subscription.
func TestListenWSManPrintsLifecycleIndicationsAndUnsubscribes(t *testing.T) {
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
	quiet := slog.New(slog.DiscardHandler)
	_, svc, err := indprov.Register(ctx, d, nil,
		indprov.Config{Host: "test", Store: raw, WSMan: wsman.NewDeliverer(d, wsman.DelivererOptions{Log: quiet}), Log: quiet},
		indication.Config{Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	d.Store = indication.ObserveStore(raw, svc, indication.SkipInterop)
	h := wsman.NewHandler(d, wsman.Options{Authenticator: testAuthenticator(t, "alice", "wonderland"), Log: quiet})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	u, _ := url.Parse(srv.URL)
	u.User, u.Path = url.UserPassword("alice", "wonderland"), "/wsman"
	cmd := exec.Command(bin, "listen", "--protocol", "wsman", "--url", u.String(),
		"--query", "SELECT * FROM CIM_InstIndication WHERE SourceInstance ISA CIM_ComputerSystem")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitReady(t, stderr)
	if n := countInterop(t, d, "CIM_ListenerDestinationWSManagement"); n != 1 {
		t.Fatalf("%d WS-Management destinations after subscribing, want 1", n)
	}

	requireLifecycleLines(t, ctx, d, stdout)
	_ = cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ferrumctl listen: %v", err)
	}
	for _, class := range []string{"CIM_IndicationSubscription", "CIM_ListenerDestinationWSManagement", "CIM_IndicationFilter"} {
		if n := countInterop(t, d, class); n != 0 {
			t.Errorf("%d instances of %s left after the listener ended", n, class)
		}
	}
}

// waitReady waits for listen's "listening on" line on stderr, echoing
// stderr to the test's.
func waitReady(t *testing.T, stderr interface{ Read([]byte) (int, error) }) {
	t.Helper()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var last string
		for sc.Scan() {
			fmt.Fprintln(os.Stderr, "listen:", sc.Text())
			last = sc.Text()
			if strings.HasPrefix(sc.Text(), "listening on") {
				ready <- sc.Text()
			}
		}
		ready <- "ended: " + last
	}()
	select {
	case line := <-ready:
		if !strings.HasPrefix(line, "listening on") {
			t.Fatalf("ferrumctl listen ended before subscribing: %s", line)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("ferrumctl listen did not subscribe")
	}
}

func countInterop(t *testing.T, d *cimom.Dispatcher, class string) int {
	t.Helper()
	n := 0
	err := d.EnumerateInstances(context.Background(), cimom.InteropNamespace, class, cimom.InstanceOptions{},
		func(cim.ObjectPath, *cim.Instance) bool { n++; return true })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testAuthenticator accepts user with password.
func testAuthenticator(t *testing.T, user, password string) *auth.Authenticator {
	t.Helper()
	us := auth.NewMemoryUserStore()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := us.CreateUser(context.Background(), auth.User{Name: user, PasswordHash: string(hash)}); err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(us, auth.AuthenticatorOptions{Cost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
