package wsman

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The real-client tests drive the handler with wsl, Debian's WS-Management
// command-line client (a set of bash scripts over curl and xmllint), over a
// loopback listener.

// wslPackages are the Debian packages the real-client tests need: wsl
// itself, and the tools its scripts run (xmllint, curl, uuidgen).
var wslPackages = []string{"wsl", "libxml2-utils", "curl", "uuid-runtime"}

// requireWSL finds wsl and its tools, installing the Debian packages when
// running as root (as CI does), and skips otherwise.
func requireWSL(t *testing.T) {
	t.Helper()
	missing := false
	for _, tool := range []string{"wsl", "xmllint", "curl", "uuidgen"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = true
		}
	}
	if !missing {
		return
	}
	if os.Geteuid() != 0 {
		t.Skipf("wsl or its tools are missing: run `apt-get install -y %s` as root to run the real-client tests", strings.Join(wslPackages, " "))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	apt := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	install := append([]string{"install", "-y", "--no-install-recommends"}, wslPackages...)
	if _, err := apt(install...); err != nil {
		// A fresh machine may have no package lists yet.
		if out, err := apt("update"); err != nil {
			t.Fatalf("apt-get update: %v\n%s", err, out)
		}
		if out, err := apt(install...); err != nil {
			t.Fatalf("apt-get install %s: %v\n%s", strings.Join(wslPackages, " "), err, out)
		}
	}
}

// wslClient runs wsl against a test server.
type wslClient struct {
	t   *testing.T
	dir string
	env []string
}

func newWSLClient(t *testing.T, e *testEnv) *wslClient {
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	return &wslClient{t: t, dir: dir, env: []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"SHELL=/bin/bash",
		"WSENDPOINT=" + strings.TrimPrefix(srv.URL, "http://"),
		"WSUSER=" + testUser,
		"WSPASS=" + testPassword,
		"WSNOSSL=true",
		"WSDEFAULTSCHEMA=schemas.ferrum.dev",
		"OUTPREFIX=" + dir,
		"OUTLEVEL=1",
		"KEEPHISTORY=0",
	}}
}

// run runs wsl with args and returns what it printed.
func (c *wslClient) run(args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wsl", args...)
	cmd.Dir, cmd.Env, cmd.Stdin = c.dir, c.env, strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run() // wsl's exit status is unreliable (put greps for _OUTPUT); the output is asserted on
	return out.String()
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("wsl %s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func TestWSLClient(t *testing.T) {
	requireWSL(t)
	e := newTestEnv(t)
	c := newWSLClient(t, e)

	t.Run("identify", func(t *testing.T) {
		out := c.run("identify", "check")
		mustContain(t, "identify", out, "IdentifyResponse", "<wsmid:ProductVendor>Ferrum</wsmid:ProductVendor>",
			"secprofile/http/basic")
	})
	t.Run("enumerate objects", func(t *testing.T) {
		out := c.run("enum", "Ferrum_ComputerSystem")
		mustContain(t, "enum", out, "EnumerateResponse", "<p:Name>vm1</p:Name>", "<p:Name>vm2</p:Name>", "EndOfSequence")
	})
	t.Run("enumerate EPRs, one per pull", func(t *testing.T) {
		out := c.run("enum", "Ferrum_ComputerSystem", "-mode", "epr", "-opti", "1")
		mustContain(t, "enum -mode epr", out, "EnumerateResponse", "PullResponse",
			`<wsman:Selector Name="Name">vm1</wsman:Selector>`, `<wsman:Selector Name="Name">vm2</wsman:Selector>`, "EndOfSequence")
	})
	t.Run("enumerate with a CQL filter", func(t *testing.T) {
		out := c.run("enum", "CIM_ComputerSystem", "-filter", "SELECT * FROM CIM_ComputerSystem WHERE Name = 'vm2'")
		mustContain(t, "enum -filter", out, "<p:Name>vm2</p:Name>")
		if strings.Contains(out, "<p:Name>vm1</p:Name>") {
			t.Errorf("the filter let vm1 through:\n%s", out)
		}
	})
	t.Run("enumerate with an association filter", func(t *testing.T) {
		// wsl's -references sends AssociatedInstances (its flags are swapped).
		out := c.run("enum", "Ferrum_HostSystem", "-references", "CreationClassName=Ferrum_HostSystem", "Name=host1")
		mustContain(t, "enum -references", out, "<p:Name>vm1</p:Name>", "<p:Name>vm2</p:Name>")
	})
	t.Run("get", func(t *testing.T) {
		out := c.run("get", "Ferrum_ComputerSystem", "CreationClassName=Ferrum_ComputerSystem", "Name=vm1")
		mustContain(t, "get", out, "<p:ElementName>web server</p:ElementName>", "<cim:Datetime>2025-01-01T12:00:00+01:00</cim:Datetime>")
	})
	t.Run("put", func(t *testing.T) {
		// wsl finds the property to replace with an unquoted [ `grep` ],
		// which breaks on values with spaces: vm2's old name has none.
		// It also copies cim:Datetime without declaring cim:, which
		// Ferrum tolerates.
		out := c.run("put", "Ferrum_ComputerSystem", "ElementName=front end", "-filter", "SELECT * FROM Ferrum_ComputerSystem WHERE Name = 'vm2'")
		mustContain(t, "put", out, "PutResponse", "<p:ElementName>front end</p:ElementName>")
		if got := e.vm("vm2").Str("ElementName"); got != "front end" {
			t.Errorf("ElementName = %q after wsl put", got)
		}
	})
	t.Run("invoke", func(t *testing.T) {
		out := c.run("invoke", "Ferrum_ComputerSystem", "RequestStateChange", "RequestedState=3", "-filter", "SELECT * FROM Ferrum_ComputerSystem WHERE Name = 'vm1'")
		mustContain(t, "invoke", out, "RequestStateChange_OUTPUT", "<p:ReturnValue>4096</p:ReturnValue>", `<wsman:Selector Name="InstanceID">job-1</wsman:Selector>`)
		if v, _ := e.vm("vm1").Get("EnabledState"); v.Text() != "3" {
			t.Errorf("EnabledState = %v after wsl invoke", v)
		}
	})
	t.Run("a selector that is not a key is a wsman:InvalidSelectors fault", func(t *testing.T) {
		out := c.run("get", "Ferrum_ComputerSystem", "Bogus=1")
		mustContain(t, "get Bogus=1", out, "<s:Value>wsman:InvalidSelectors</s:Value>",
			"faultDetail/UnexpectedSelectors")
	})
	t.Run("a wrong password gets nothing", func(t *testing.T) {
		bad := *c
		bad.env = append(append([]string(nil), c.env...), "WSPASS=not-the-password")
		out := bad.run("get", "Ferrum_ComputerSystem", "CreationClassName=Ferrum_ComputerSystem", "Name=vm1")
		mustContain(t, "get with a wrong password", out, "is empty, verify credentials")
		if strings.Contains(out, "web server") {
			t.Errorf("wsl with a wrong password read the instance:\n%s", out)
		}
	})
	if n := e.h.enums.count(); n != 0 {
		t.Errorf("%d enumeration contexts left open after wsl's enumerations", n)
	}
}
