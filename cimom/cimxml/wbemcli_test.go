package cimxml

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"golang.org/x/crypto/bcrypt"
)

const (
	cliUser     = "alice"
	cliPassword = "alice-secret-pw"
)

var (
	wbemcliOnce sync.Once
	wbemcliBin  string
	wbemcliErr  error
)

// wbemcli returns the path of Debian's sblim-wbemcli, installing it with
// testdata/install-wbemcli.sh when the tests run as root. Otherwise a
// missing wbemcli skips the test.
func wbemcli(t *testing.T) string {
	t.Helper()
	wbemcliOnce.Do(func() {
		if wbemcliBin, wbemcliErr = exec.LookPath("wbemcli"); wbemcliErr == nil {
			return
		}
		if os.Geteuid() != 0 {
			return
		}
		out, err := exec.Command("testdata/install-wbemcli.sh").CombinedOutput()
		if err != nil {
			wbemcliErr = err
			t.Logf("install-wbemcli.sh: %s", out)
			return
		}
		wbemcliBin, wbemcliErr = exec.LookPath("wbemcli")
	})
	switch {
	case wbemcliErr == nil:
		return wbemcliBin
	case os.Geteuid() != 0:
		t.Skip("wbemcli is not installed: run testdata/install-wbemcli.sh as root (apt-get install -y sblim-wbemcli), or run the tests as root")
	}
	t.Fatalf("wbemcli could not be installed: %v", wbemcliErr)
	return ""
}

// serveHTTP starts the handler on a loopback listener behind HTTP Basic
// authentication, as ferrumd mounts it, and returns the base URL with
// credentials for wbemcli.
func serveHTTP(t *testing.T, f *fixture) string {
	t.Helper()
	store := auth.NewMemoryUserStore()
	hash, err := auth.HashPassword(cliPassword, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateUser(context.Background(), auth.User{Name: cliUser, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(store, auth.AuthenticatorOptions{Cost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	guarded := auth.RequireBasic(a, "ferrum", f.h, auth.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	mux := http.NewServeMux()
	mux.Handle("POST /cimom", guarded)
	mux.Handle("M-POST /cimom", guarded)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return "http://" + cliUser + ":" + cliPassword + "@" + strings.TrimPrefix(srv.URL, "http://")
}

// runCLI runs wbemcli and returns its standard output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, wbemcli(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out) + stderr.String(), err
	}
	return string(out), nil
}

// A cliObject is one object wbemcli -nl printed: its path and its
// properties as wbemcli shows them.
type cliObject struct {
	path  string
	props map[string]string
}

// parseCLI reads wbemcli -nl output: a path line (host:port/ns:Class.keys),
// then one "-Name=value" line per property, then a blank line.
func parseCLI(t *testing.T, out string) []cliObject {
	t.Helper()
	var objs []cliObject
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "-"):
			if len(objs) == 0 {
				t.Fatalf("a property before any path in:\n%s", out)
			}
			name, value, _ := strings.Cut(line[1:], "=")
			objs[len(objs)-1].props[name] = value
		default:
			path := line
			if i := strings.IndexByte(line, '/'); i >= 0 {
				path = line[i+1:] // drop host:port
			}
			objs = append(objs, cliObject{path: path, props: map[string]string{}})
		}
	}
	return objs
}

func TestWbemcli(t *testing.T) {
	wbemcli(t)
	f := newFixture(t, 3, nil)
	base := serveHTTP(t, f)
	vm := func(name string) string {
		return base + `/root/virt:Ferrum_ComputerSystem.CreationClassName="Ferrum_ComputerSystem",Name="` + name + `"`
	}
	hostURL := base + `/root/virt:Ferrum_HostSystem.CreationClassName="Ferrum_HostSystem",Name="host1.example.com"`

	t.Run("ei enumerates instances with their properties", func(t *testing.T) {
		out := mustCLI(t, "-nl", "ei", base+"/root/virt:Ferrum_ComputerSystem")
		objs := parseCLI(t, out)
		if len(objs) != 3 {
			t.Fatalf("ei printed %d instances, want 3:\n%s", len(objs), out)
		}
		for i, o := range objs {
			want := map[string]string{
				"Name":                 fmt.Sprintf(`"vm%d"`, i+1),
				"ElementName":          fmt.Sprintf(`"Web server %d"`, i+1),
				"EnabledState":         "2",
				"Description":          `"A KVM guest <managed> by "Ferrum" & co"`,
				"InstallDate":          "20250101083000.250000+060",
				"Dedicated":            "0",
				"Generation":           "7",
				"OtherIdentifyingInfo": `"52:54:00:12:34:56",""`,
			}
			for k, v := range want {
				if o.props[k] != v {
					t.Errorf("instance %d: %s = %s, want %s", i, k, o.props[k], v)
				}
			}
			if !strings.Contains(o.path, fmt.Sprintf(`Name="vm%d"`, i+1)) {
				t.Errorf("instance %d has path %s", i, o.path)
			}
		}
	})
	t.Run("ein enumerates the paths of subclass instances", func(t *testing.T) {
		objs := parseCLI(t, mustCLI(t, "ein", base+"/root/virt:CIM_ComputerSystem"))
		var got []string
		for _, o := range objs {
			got = append(got, o.path)
		}
		want := []string{
			`root/virt:Ferrum_HostSystem.Name="host1.example.com",CreationClassName="Ferrum_HostSystem"`,
			`root/virt:Ferrum_ComputerSystem.Name="vm1",CreationClassName="Ferrum_ComputerSystem"`,
			`root/virt:Ferrum_ComputerSystem.Name="vm2",CreationClassName="Ferrum_ComputerSystem"`,
			`root/virt:Ferrum_ComputerSystem.Name="vm3",CreationClassName="Ferrum_ComputerSystem"`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("ein printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("gi with a property list", func(t *testing.T) {
		objs := parseCLI(t, mustCLI(t, "-nl", "gi", vm("vm2"), "Name,EnabledState"))
		if len(objs) != 1 || len(objs[0].props) != 2 || objs[0].props["Name"] != `"vm2"` || objs[0].props["EnabledState"] != "2" {
			t.Fatalf("gi printed %+v", objs)
		}
	})
	t.Run("gi of a missing instance fails with CIM_ERR_NOT_FOUND", func(t *testing.T) {
		out, err := runCLI(t, "gi", vm("nope"))
		if err == nil || !strings.Contains(out, "CIM_ERR_NOT_FOUND") {
			t.Fatalf("gi of a missing instance: %v\n%s", err, out)
		}
	})
	t.Run("gc returns the class with its properties", func(t *testing.T) {
		out := mustCLI(t, "-nl", "gc", base+"/root/virt:Ferrum_ComputerSystem")
		objs := parseCLI(t, out)
		if len(objs) != 1 || objs[0].path != "root/virt:Ferrum_ComputerSystem" {
			t.Fatalf("gc printed:\n%s", out)
		}
		for _, p := range []string{"Name", "CreationClassName", "EnabledState", "Dedicated"} {
			if _, ok := objs[0].props[p]; !ok {
				t.Errorf("gc: no property %s in\n%s", p, out)
			}
		}
	})
	t.Run("ecn and ec list subclasses", func(t *testing.T) {
		if out := mustCLI(t, "ecn", base+"/root/virt:CIM_VirtualSystemManagementService"); !strings.Contains(out, "root/virt:Ferrum_VirtualSystemManagementService") {
			t.Errorf("ecn printed:\n%s", out)
		}
		if out := mustCLI(t, "ec", base+"/root/virt:CIM_HostedDependency"); !strings.Contains(out, "root/virt:Ferrum_HostedDependency ") {
			t.Errorf("ec printed:\n%s", out)
		}
	})
	t.Run("ci, mi, sp, gp, cm and di on a new instance", func(t *testing.T) {
		if out := mustCLI(t, "ci", vm("vm4"), `CreationClassName="Ferrum_ComputerSystem",Name="vm4",ElementName="fresh vm",EnabledState=3,Dedicated=0,39`); !strings.Contains(out, `Name="vm4"`) {
			t.Fatalf("ci printed:\n%s", out)
		}
		mustCLI(t, "mi", vm("vm4"), `ElementName="renamed vm"`)
		mustCLI(t, "sp", vm("vm4"), "EnabledState=9")
		if out := strings.TrimSpace(mustCLI(t, "gp", vm("vm4"), "EnabledState")); out != "9" {
			t.Errorf("gp EnabledState = %q, want 9", out)
		}
		objs := parseCLI(t, mustCLI(t, "-nl", "gi", vm("vm4"), "ElementName,Dedicated"))
		if len(objs) != 1 || objs[0].props["ElementName"] != `"renamed vm"` || objs[0].props["Dedicated"] != "0,39" {
			t.Errorf("gi after mi printed %+v", objs)
		}
		if out := mustCLI(t, "cm", vm("vm4"), "RequestStateChange.RequestedState=4"); !strings.Contains(out, "RequestStateChange: 4096") ||
			!strings.Contains(out, `Job (reference): root/virt:Ferrum_ConcreteJob.InstanceID="Ferrum:job-42"`) {
			t.Errorf("cm printed:\n%s", out)
		}
		if out := mustCLI(t, "cm", vm("vm4"), "RequestStateChange.RequestedState=2"); !strings.Contains(out, "RequestStateChange: 0") {
			t.Errorf("cm printed:\n%s", out)
		}
		if out := strings.TrimSpace(mustCLI(t, "gp", vm("vm4"), "EnabledState")); out != "2" {
			t.Errorf("after RequestStateChange(2), EnabledState = %q", out)
		}
		mustCLI(t, "di", vm("vm4"))
		if out, err := runCLI(t, "gi", vm("vm4")); err == nil || !strings.Contains(out, "CIM_ERR_NOT_FOUND") {
			t.Errorf("gi after di: %v\n%s", err, out)
		}
	})
	t.Run("ain and ai follow an association", func(t *testing.T) {
		objs := parseCLI(t, mustCLI(t, "ain", "-ac", "Ferrum_HostedDependency", hostURL))
		if len(objs) != 3 || !strings.HasSuffix(objs[2].path, `Name="vm3"`) {
			t.Errorf("ain printed %+v", objs)
		}
		objs = parseCLI(t, mustCLI(t, "-nl", "ai", "-arc", "CIM_ComputerSystem", vm("vm1")))
		if len(objs) != 1 || objs[0].props["ElementName"] != `"host1"` {
			t.Errorf("ai printed %+v", objs)
		}
	})
	t.Run("rin and ri return the association instances", func(t *testing.T) {
		objs := parseCLI(t, mustCLI(t, "rin", vm("vm1")))
		if len(objs) != 1 || !strings.HasPrefix(objs[0].path, "root/virt:Ferrum_HostedDependency.") {
			t.Errorf("rin printed %+v", objs)
		}
		objs = parseCLI(t, mustCLI(t, "-nl", "ri", "-ar", "Antecedent", hostURL))
		if len(objs) != 3 || !strings.Contains(objs[1].props["Dependent"], `Name="vm2"`) {
			t.Errorf("ri printed %+v", objs)
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		bad := strings.Replace(base, cliPassword, "wrong-password", 1)
		if out, err := runCLI(t, "ein", bad+"/root/virt:CIM_ComputerSystem"); err == nil {
			t.Errorf("ein with a wrong password succeeded:\n%s", out)
		}
	})
}

// mustCLI runs wbemcli and fails the test when it fails.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("wbemcli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestWbemcliChunked drives responses that are committed before they end:
// with "TE: trailers" (wbemcli -cte) a failure travels in the
// CIMStatusCode trailer; without it the connection is cut.
func TestWbemcliChunked(t *testing.T) {
	wbemcli(t)
	small := func(o *Options) { o.BufferBytes, o.FlushBytes = 2048, 1024 }
	t.Run("a streamed enumeration arrives whole", func(t *testing.T) {
		f := newFixture(t, 200, small)
		base := serveHTTP(t, f)
		for _, args := range [][]string{{"-cte", "ein"}, {"ein"}} {
			objs := parseCLI(t, mustCLI(t, append(args, base+"/root/virt:Ferrum_ComputerSystem")...))
			if len(objs) != 200 || !strings.Contains(objs[199].path, `Name="vm200"`) {
				t.Errorf("wbemcli %v printed %d paths", args, len(objs))
			}
		}
	})
	t.Run("a failure after the response began", func(t *testing.T) {
		f := newFixture(t, 200, small)
		f.vms.failAfter = 150
		base := serveHTTP(t, f)
		out, err := runCLI(t, "-cte", "ein", base+"/root/virt:Ferrum_ComputerSystem")
		if err == nil || !strings.Contains(out, "hypervisor went away") {
			t.Errorf("with trailers: %v\n%s", err, out)
		}
		out, err = runCLI(t, "ein", base+"/root/virt:Ferrum_ComputerSystem")
		if err == nil {
			t.Errorf("without trailers the cut response was accepted:\n%s", out)
		}
	})
}
