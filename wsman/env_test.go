package wsman

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
	"golang.org/x/crypto/bcrypt"
)

// Test credentials. wsl passes the password to curl unquoted, so it has
// no spaces.
const (
	testUser     = "operator"
	testPassword = "correct-horse-battery"
	otherUser    = "auditor"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	repoOnce   sync.Once
	sharedRepo *repo.Repository
	authOnce   sync.Once
	sharedAuth *auth.Authenticator
)

// schemaRepo returns Ferrum's schema; the tests never change it, so one
// copy serves them all.
func schemaRepo(t testing.TB) *repo.Repository {
	repoOnce.Do(func() {
		r, err := cimom.NewSchemaRepository()
		if err != nil {
			panic(err)
		}
		sharedRepo = r
	})
	return sharedRepo
}

func testAuthenticator(t testing.TB) *auth.Authenticator {
	authOnce.Do(func() {
		store := auth.NewMemoryUserStore()
		for _, u := range []string{testUser, otherUser} {
			hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
			if err != nil {
				panic(err)
			}
			if err := store.CreateUser(context.Background(), auth.User{Name: u, PasswordHash: string(hash)}); err != nil {
				panic(err)
			}
		}
		a, err := auth.NewAuthenticator(store, auth.AuthenticatorOptions{Cost: bcrypt.MinCost})
		if err != nil {
			panic(err)
		}
		sharedAuth = a
	})
	return sharedAuth
}

// A testEnv is a dispatcher with the test providers behind a Handler.
type testEnv struct {
	t     testing.TB
	d     *cimom.Dispatcher
	h     *Handler
	vms   *vmProvider
	hosts *memProvider
	now   time.Time
}

func newTestEnv(t testing.TB, mod ...func(*Options)) *testEnv {
	d := cimom.New(schemaRepo(t), cimom.NewMemoryStore())
	d.Log = slog.New(slog.DiscardHandler)
	e := &testEnv{t: t, d: d, vms: &vmProvider{}, hosts: &memProvider{}, now: testNow}
	e.vms.add(testVM("vm1", "web server", 2), testVM("vm2", "database", 3))
	e.hosts.add(cim.NewInstance("Ferrum_HostSystem").
		Set("CreationClassName", cim.String("Ferrum_HostSystem")).
		Set("Name", cim.String("host1")).
		Set("ElementName", cim.String("rack 4, slot 2")))
	deps := &memProvider{}
	for _, vm := range []string{"vm1", "vm2"} {
		deps.add(cim.NewInstance("Ferrum_HostedDependency").
			Set("Antecedent", cim.Ref(systemPath("Ferrum_HostSystem", "host1"))).
			Set("Dependent", cim.Ref(systemPath("Ferrum_ComputerSystem", vm))))
	}
	vsms := &vsmsProvider{vms: e.vms}
	vsms.add(cim.NewInstance("Ferrum_VirtualSystemManagementService").
		Set("SystemCreationClassName", cim.String("Ferrum_HostSystem")).
		Set("SystemName", cim.String("host1")).
		Set("CreationClassName", cim.String("Ferrum_VirtualSystemManagementService")).
		Set("Name", cim.String("vsms")))
	ns := cimom.VirtNamespace
	d.Providers.Handle(ns, "Ferrum_ComputerSystem", e.vms)
	d.Providers.Handle(ns, "Ferrum_HostSystem", e.hosts)
	d.Providers.Handle(ns, "Ferrum_HostedDependency", deps)
	d.Providers.Handle(ns, "Ferrum_VirtualSystemManagementService", vsms)
	d.Providers.Handle(ns, "Ferrum_DiskPool", stuckProvider{})
	d.Providers.Handle(ns, "Ferrum_Account", deniedProvider{})
	opts := Options{
		Authenticator:    testAuthenticator(t),
		ProductVersion:   "1.0.0-test",
		Log:              slog.New(slog.DiscardHandler),
		Now:              func() time.Time { return e.now },
		OperationTimeout: 5 * time.Second,
	}
	for _, m := range mod {
		m(&opts)
	}
	e.h = NewHandler(d, opts)
	t.Cleanup(func() { _ = e.h.Close() })
	return e
}

func systemPath(class, name string) cim.ObjectPath {
	return cim.NewInstancePath(cimom.VirtNamespace, class,
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String(class)},
		cim.KeyBinding{Name: "Name", Value: cim.String(name)})
}

func testVM(name, display string, state uint16) *cim.Instance {
	return cim.NewInstance("Ferrum_ComputerSystem").
		Set("CreationClassName", cim.String("Ferrum_ComputerSystem")).
		Set("Name", cim.String(name)).
		Set("ElementName", cim.String(display)).
		Set("EnabledState", cim.Uint16(state)).
		Set("OperationalStatus", cim.Uint16Array(2, 32768)).
		Set("InstallDate", cim.DateTimeValue(cim.MustDatetime("20250101120000.000000+060"))).
		Set("Caption", cim.Null(cim.TypeString)).
		Set("Dedicated", cim.Uint16Array())
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to the handler with the test credentials ("" user: none).
func (e *testEnv) post(body []byte, user string) response {
	e.t.Helper()
	return e.postAs(body, user, testPassword)
}

// postAs sends body with the given credentials ("" user: none).
func (e *testEnv) postAs(body []byte, user, password string) response {
	r := httptest.NewRequest(http.MethodPost, "http://ferrum.test/wsman", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if user != "" {
		r.SetBasicAuth(user, password)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	res := w.Result()
	out, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: out}
}

var contextRE = regexp.MustCompile(`<wsen:EnumerationContext>([^<]+)</wsen:EnumerationContext>`)

// openEnumeration starts a plain (not optimized) enumeration of class as
// user and returns its context.
func (e *testEnv) openEnumeration(user, resourceURI string) string {
	e.t.Helper()
	body := fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration">
<s:Header><wsa:To>/wsman</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</wsa:Action>
<wsa:MessageID>uuid:11111111-1111-4111-8111-111111111111</wsa:MessageID><wsman:ResourceURI>%s</wsman:ResourceURI></s:Header>
<s:Body><wsen:Enumerate/></s:Body></s:Envelope>`, resourceURI)
	r := e.post([]byte(body), user)
	m := contextRE.FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		e.t.Fatalf("Enumerate of %s: HTTP %d\n%s", resourceURI, r.status, r.body)
	}
	return string(m[1])
}

// pull sends one Pull of ctx as user.
func (e *testEnv) pull(user, ctx string, maxElements int) response {
	e.t.Helper()
	body := fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration">
<s:Header><wsa:To>/wsman</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull</wsa:Action>
<wsa:MessageID>uuid:22222222-2222-4222-8222-222222222222</wsa:MessageID></s:Header>
<s:Body><wsen:Pull><wsen:EnumerationContext>%s</wsen:EnumerationContext><wsen:MaxElements>%d</wsen:MaxElements></wsen:Pull></s:Body></s:Envelope>`, ctx, maxElements)
	return e.post([]byte(body), user)
}

// vm returns the provider's copy of a virtual machine, or nil.
func (e *testEnv) vm(name string) *cim.Instance {
	e.vms.mu.Lock()
	defer e.vms.mu.Unlock()
	for _, in := range e.vms.insts {
		if in.Str("Name") == name {
			return in
		}
	}
	return nil
}
