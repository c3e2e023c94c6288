package config

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// isolate runs the test in an empty directory with no FERRUM_* variables set.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "FERRUM_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	return dir
}

func load(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("ferrumd", pflag.ContinueOnError)
	RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return Load(fs)
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDefaults(t *testing.T) {
	dir := isolate(t)
	c, err := load(t)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DataDir: filepath.Join(dir, "ferrum-data"), HTTPAddr: "127.0.0.1:5988", HTTPSAddr: ":5989",
		LogLevel: slog.LevelInfo, LogFormat: "text", MaxRequestBytes: 16 << 20, ShutdownTimeout: 30 * time.Second,
		Backend: "sim", SimHosts: 4, SimVMs: 2, AgentAddr: ":5990",
	}
	if c != want {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name      string
		file, env string // log_level in ./ferrumd.yaml and FERRUM_LOG_LEVEL; "" = unset
		args      []string
		want      slog.Level
	}{
		{"the default when nothing is set", "", "", nil, slog.LevelInfo},
		{"the config file overrides the default", "warn", "", nil, slog.LevelWarn},
		{"the environment overrides the config file", "warn", "error", nil, slog.LevelError},
		{"a flag overrides the environment and the file", "warn", "error", []string{"--log-level=debug"}, slog.LevelDebug},
		{"a flag overrides the file alone", "warn", "", []string{"--log-level", "debug"}, slog.LevelDebug},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			if tt.file != "" {
				writeFile(t, filepath.Join(dir, "ferrumd.yaml"), "log_level: "+tt.file+"\n")
			}
			if tt.env != "" {
				t.Setenv("FERRUM_LOG_LEVEL", tt.env)
			}
			c, err := load(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.LogLevel != tt.want {
				t.Fatalf("LogLevel = %v, want %v", c.LogLevel, tt.want)
			}
		})
	}
}

func TestConfigFile(t *testing.T) {
	t.Run("a file in the data directory is preferred to ./ferrumd.yaml", func(t *testing.T) {
		dir := isolate(t)
		data := filepath.Join(dir, "data")
		writeFile(t, filepath.Join(data, "ferrumd.yaml"), "sim_hosts: 9\n")
		writeFile(t, filepath.Join(dir, "ferrumd.yaml"), "sim_hosts: 7\n")
		t.Setenv("FERRUM_DATA_DIR", data)
		c, err := load(t)
		if err != nil {
			t.Fatal(err)
		}
		if c.SimHosts != 9 || c.File != filepath.Join(data, "ferrumd.yaml") {
			t.Fatalf("SimHosts = %d from %q, want 9 from the data dir", c.SimHosts, c.File)
		}
	})
	t.Run("--config names the file and every key can come from it", func(t *testing.T) {
		dir := isolate(t)
		f := filepath.Join(dir, "etc", "f.yaml")
		writeFile(t, f, strings.Join([]string{
			"data_dir: /srv/ferrum", `http_addr: ""`, "https_addr: 0.0.0.0:15989",
			"log_format: json", "max_request_bytes: 1MiB", "shutdown_timeout: 5s", "backend: agents", "sim_hosts: 2",
			"admin_password: from-the-file",
		}, "\n"))
		c, err := load(t, "--config", f)
		if err != nil {
			t.Fatal(err)
		}
		want := Config{DataDir: "/srv/ferrum", File: f, HTTPAddr: "", HTTPSAddr: "0.0.0.0:15989", AdminPassword: "from-the-file",
			LogLevel: slog.LevelInfo, LogFormat: "json", MaxRequestBytes: 1 << 20, ShutdownTimeout: 5 * time.Second,
			Backend: "agents", SimHosts: 2, SimVMs: 2, AgentAddr: ":5990"}
		if c != want {
			t.Fatalf("\n got %+v\nwant %+v", c, want)
		}
	})
	t.Run("an empty environment value disables a listener", func(t *testing.T) {
		isolate(t)
		t.Setenv("FERRUM_HTTP_ADDR", "")
		c, err := load(t)
		if err != nil || c.HTTPAddr != "" || c.HTTPSAddr != ":5989" {
			t.Fatalf("c = %+v, err = %v", c, err)
		}
	})
	t.Run("an empty environment value of other keys means the default", func(t *testing.T) {
		isolate(t)
		t.Setenv("FERRUM_LOG_LEVEL", "")
		t.Setenv("FERRUM_SIM_HOSTS", "")
		c, err := load(t)
		if err != nil || c.LogLevel != slog.LevelInfo || c.SimHosts != 4 {
			t.Fatalf("c = %+v, err = %v", c, err)
		}
	})
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		file     string
		mentions []string // each must appear in the error
	}{
		{"an unknown log level names FERRUM_LOG_LEVEL and the levels", map[string]string{"FERRUM_LOG_LEVEL": "loud"}, nil, "",
			[]string{`FERRUM_LOG_LEVEL="loud"`, "environment", "debug, info, warn, error"}},
		{"an unknown log format", nil, []string{"--log-format=xml"}, "", []string{"FERRUM_LOG_FORMAT", "flag --log-format", "text, json"}},
		{"an address without a port", map[string]string{"FERRUM_HTTP_ADDR": "localhost"}, nil, "", []string{"FERRUM_HTTP_ADDR", "HOST:PORT"}},
		{"a port out of range", map[string]string{"FERRUM_HTTPS_ADDR": ":70000"}, nil, "", []string{"FERRUM_HTTPS_ADDR", "65535"}},
		{"both listeners disabled", map[string]string{"FERRUM_HTTP_ADDR": "", "FERRUM_HTTPS_ADDR": ""}, nil, "", []string{"serve nothing"}},
		{"a TLS certificate without a key", map[string]string{"FERRUM_TLS_CERT": "/etc/ssl/x.pem"}, nil, "", []string{"FERRUM_TLS_KEY", "together"}},
		{"a TLS file that does not exist", map[string]string{"FERRUM_TLS_CERT": "/nonexistent.crt", "FERRUM_TLS_KEY": "/nonexistent.key"}, nil, "",
			[]string{"FERRUM_TLS_CERT", "FERRUM_TLS_KEY", "existing PEM"}},
		{"a short admin password, without echoing it", map[string]string{"FERRUM_ADMIN_PASSWORD": "hunter2"}, nil, "",
			[]string{"FERRUM_ADMIN_PASSWORD", "shorter than 8"}},
		{"a size with a bad unit", map[string]string{"FERRUM_MAX_REQUEST_BYTES": "16 parsecs"}, nil, "", []string{"FERRUM_MAX_REQUEST_BYTES", "MiB"}},
		{"a size below 1 KiB", map[string]string{"FERRUM_MAX_REQUEST_BYTES": "10"}, nil, "", []string{"at least 1024"}},
		{"a duration without a unit", map[string]string{"FERRUM_SHUTDOWN_TIMEOUT": "30"}, nil, "", []string{"FERRUM_SHUTDOWN_TIMEOUT", "30s"}},
		{"an unknown backend", map[string]string{"FERRUM_BACKEND": "xen"}, nil, "", []string{"FERRUM_BACKEND", "sim, agents"}},
		{"a non-numeric host count", map[string]string{"FERRUM_SIM_HOSTS": "four"}, nil, "", []string{"FERRUM_SIM_HOSTS", "from 1 to 1024"}},
		{"a zero host count from the file", nil, nil, "sim_hosts: 0\n", []string{"FERRUM_SIM_HOSTS", "config file"}},
		{"a misspelt key in the file", nil, nil, "htp_addr: x\n", []string{"unknown keys htp_addr"}},
		{"a config file that is not YAML", nil, nil, "log_level: [\n", []string{"FERRUM_CONFIG", "YAML"}},
		{"a --config file that does not exist", nil, []string{"--config=/nonexistent/ferrumd.yaml"}, "", []string{"FERRUM_CONFIG", "/nonexistent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.file != "" {
				writeFile(t, filepath.Join(dir, "ferrumd.yaml"), tt.file)
			}
			_, err := load(t, tt.args...)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *config.Error", err)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error echoes the password: %v", err)
			}
		})
	}
	t.Run("every invalid key is reported at once", func(t *testing.T) {
		isolate(t)
		t.Setenv("FERRUM_LOG_LEVEL", "loud")
		t.Setenv("FERRUM_SIM_HOSTS", "-1")
		_, err := load(t)
		if err == nil || !strings.Contains(err.Error(), "FERRUM_LOG_LEVEL") || !strings.Contains(err.Error(), "FERRUM_SIM_HOSTS") {
			t.Fatalf("err = %v, want both keys", err)
		}
	})
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true}, {"16MiB", 16 << 20, true}, {"16 MiB", 16 << 20, true}, {"512KiB", 512 << 10, true},
		{"1GiB", 1 << 30, true}, {"2M", 2 << 20, true}, {"100B", 100, true},
		{"", 0, false}, {"-1", 0, false}, {"1.5MiB", 0, false}, {"16MB", 0, false}, {"99999999999GiB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
