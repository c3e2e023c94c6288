package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const generatedMsg = "created user admin with a generated password"

// client is an HTTP(S) client that trusts the data directory's certificate
// for the name localhost.
func client(t *testing.T, dataDir string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dataDir, "tls.crt"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("tls.crt holds no certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: failsafe}
}

func post(t *testing.T, c *http.Client, url, user, pw string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("<CIM/>"))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestFirstAndSecondStart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	p := startFerrumd(t, data)
	httpAddr, httpsAddr := p.waitReady()
	c := client(t, data)

	password := strings.TrimSpace(readFile(t, filepath.Join(data, "admin-password")))
	cert := readFile(t, filepath.Join(data, "tls.crt"))
	t.Run("the data directory is created 0700", func(t *testing.T) {
		if m := mode(t, data); m != 0o700 {
			t.Fatalf("mode = %v", m)
		}
	})
	t.Run("the generated admin password is printed once and stored 0600", func(t *testing.T) {
		if n := strings.Count(p.log(), generatedMsg); n != 1 {
			t.Fatalf("generated-password lines = %d, want 1", n)
		}
		if len(password) < 32 || strings.Count(p.log(), password) != 1 {
			t.Fatalf("password %q is not printed exactly once", password)
		}
		if m := mode(t, filepath.Join(data, "admin-password")); m != 0o600 {
			t.Fatalf("admin-password mode = %v", m)
		}
	})
	t.Run("the TLS certificate and key are generated 0600", func(t *testing.T) {
		for _, f := range []string{"tls.crt", "tls.key"} {
			if m := mode(t, filepath.Join(data, f)); m != 0o600 {
				t.Errorf("%s mode = %v", f, m)
			}
		}
	})
	for _, base := range []string{"http://" + httpAddr, "https://" + httpsAddr} {
		t.Run("over "+strings.Split(base, ":")[0], func(t *testing.T) {
			tests := []struct {
				name, path, user, pw string
				want                 int
			}{
				{"no credentials → 401", "/cimom", "", "", 401},
				{"a wrong password → 401", "/wsman", "admin", "wrong-password", 401},
				{"the admin password reaches CIM-XML, which refuses a request without CIM headers", "/cimom", "admin", password, 400},
				{"the admin password on /wsman reaches the binding, which faults a non-SOAP body", "/wsman", "admin", password, 500},
			}
			for _, tt := range tests {
				resp := post(t, c, base+tt.path, tt.user, tt.pw)
				if resp.StatusCode != tt.want {
					t.Errorf("%s: status = %d, want %d", tt.name, resp.StatusCode, tt.want)
				}
				if tt.want == 401 && resp.Header.Get("WWW-Authenticate") != `Basic realm="ferrum"` {
					t.Errorf("%s: WWW-Authenticate = %q", tt.name, resp.Header.Get("WWW-Authenticate"))
				}
			}
			resp, err := c.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("healthz status = %d", resp.StatusCode)
			}
		})
	}
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("first ferrumd exited %d", code)
	}

	// Move the saved password away: the admin must now come from the database.
	saved := filepath.Join(data, "admin-password")
	if err := os.Rename(saved, saved+".bak"); err != nil {
		t.Fatal(err)
	}
	p2 := startFerrumd(t, data)
	httpAddr, _ = p2.waitReady()
	t.Run("a second start keeps the admin in the SQLite store and prints no password", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(data, "ferrum.db")); err != nil {
			t.Fatalf("no database: %v", err)
		}
		if strings.Contains(p2.log(), generatedMsg) || strings.Contains(p2.log(), password) {
			t.Fatal("second start printed a password")
		}
		if _, err := os.Stat(saved); !os.IsNotExist(err) {
			t.Fatalf("second start wrote admin-password again: %v", err)
		}
		if resp := post(t, c, "http://"+httpAddr+"/cimom", "admin", password); resp.StatusCode != 400 {
			t.Fatalf("the first password no longer works: %d", resp.StatusCode)
		}
	})
	t.Run("a second start reuses the TLS certificate", func(t *testing.T) {
		if readFile(t, filepath.Join(data, "tls.crt")) != cert {
			t.Fatal("tls.crt was regenerated")
		}
	})
	if code := p2.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("second ferrumd exited %d", code)
	}
}

func TestAdminPasswordFromEnvironment(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	p := startFerrumd(t, data, "FERRUM_ADMIN_PASSWORD=correct-horse-battery")
	httpAddr, _ := p.waitReady()
	if strings.Contains(p.log(), generatedMsg) || strings.Contains(p.log(), "correct-horse-battery") {
		t.Fatal("a given password was generated or logged")
	}
	if _, err := os.Stat(filepath.Join(data, "admin-password")); !os.IsNotExist(err) {
		t.Fatalf("admin-password written for a given password: %v", err)
	}
	if resp := post(t, &http.Client{Timeout: failsafe}, "http://"+httpAddr+"/cimom", "admin", "correct-horse-battery"); resp.StatusCode != 400 {
		t.Fatalf("status = %d, want 400 (authenticated, then refused by CIM-XML for its missing headers)", resp.StatusCode)
	}
	p.stop(syscall.SIGTERM)
}

func TestSecondInstanceOnTheSameDataDirIsRefused(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	first := startFerrumd(t, data)
	first.waitReady()
	second := startFerrumd(t, data)
	if code := second.wait(); code != 1 {
		t.Fatalf("second instance exit code = %d, want 1", code)
	}
	want := fmt.Sprintf("held by another ferrumd (pid %d)", first.cmd.Process.Pid)
	if !strings.Contains(second.log(), want) || !strings.Contains(second.log(), "FERRUM_DATA_DIR") {
		t.Fatalf("second instance's message does not say %q and the fix:\n%s", want, second.log())
	}
	if code := first.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("first instance exit code = %d after the second tried", code)
	}
}

func TestSignalsShutDownCleanlyAndReleaseTheLock(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String()+" → exit 0 and the lock is free", func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			p := startFerrumd(t, data)
			p.waitReady()
			if code := p.stop(sig); code != 0 {
				t.Fatalf("exit code = %d, want 0", code)
			}
			if !strings.Contains(p.log(), `"msg":"ferrumd stopped"`) {
				t.Fatalf("no stopped line:\n%s", p.log())
			}
			f, err := os.OpenFile(filepath.Join(data, "ferrumd.lock"), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
				t.Fatalf("lock still held after exit: %v", err)
			}
		})
	}
}

func TestInvalidConfigurationExits2(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     []string
		mention string
	}{
		{"an unknown log level names the key and the levels", []string{"FERRUM_LOG_LEVEL=loud"}, "FERRUM_LOG_LEVEL=\"loud\" (from environment): not a log level; use one of debug, info, warn, error"},
		{"a non-numeric host count", []string{"FERRUM_SIM_HOSTS=many"}, "FERRUM_SIM_HOSTS"},
		{"a weak admin password", []string{"FERRUM_ADMIN_PASSWORD=abc"}, "FERRUM_ADMIN_PASSWORD"},
		{"a TLS pair that does not parse", []string{"FERRUM_TLS_CERT=" + junk, "FERRUM_TLS_KEY=" + junk}, "FERRUM_TLS_CERT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, log := runFerrumd(t, tt.env...)
			if code != 2 {
				t.Fatalf("exit code = %d, want 2:\n%s", code, log)
			}
			if !strings.Contains(log, "invalid configuration") || !strings.Contains(log, tt.mention) {
				t.Fatalf("message does not mention %q:\n%s", tt.mention, log)
			}
		})
	}
	t.Run("an unknown flag → exit 2", func(t *testing.T) {
		cmd := exec.Command(ferrumdBin, "--no-such-flag")
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "--no-such-flag") {
			t.Fatalf("err = %v, output %q", err, out)
		}
	})
}
