package config

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// loader turns viper's strings into a Config, collecting every error.
type loader struct {
	v    *viper.Viper
	fs   *pflag.FlagSet
	file string
	errs []error
}

func (l *loader) config() Config {
	c := Config{File: l.file}
	c.DataDir = l.dataDir()
	c.HTTPAddr = l.addr(KeyHTTPAddr)
	c.HTTPSAddr = l.addr(KeyHTTPSAddr)
	if strings.TrimSpace(l.v.GetString(KeyHTTPAddr)) == "" && strings.TrimSpace(l.v.GetString(KeyHTTPSAddr)) == "" {
		l.fail(KeyHTTPAddr, "", "FERRUM_HTTP_ADDR and FERRUM_HTTPS_ADDR are both empty, so ferrumd would serve nothing",
			"set at least one of them, e.g. FERRUM_HTTP_ADDR=127.0.0.1:5988")
	}
	c.TLSCert, c.TLSKey = l.tlsPair()
	c.AdminPassword = l.adminPassword()
	c.LogLevel = l.logLevel()
	c.LogFormat = l.oneOf(KeyLogFormat, []string{"text", "json"})
	c.MaxRequestBytes = l.size(KeyMaxRequestBytes, 1024)
	c.ShutdownTimeout = l.duration(KeyShutdownTimeout)
	c.Backend = l.oneOf(KeyBackend, Backends)
	c.SimHosts = l.intRange(KeySimHosts, 1, 1024)
	c.SimVMs = l.intRange(KeySimVMs, 0, 1000)
	c.AgentAddr = l.addr(KeyAgentAddr)
	return c
}

// get returns the value of a key, or its default when the value is empty.
func (l *loader) get(name string) string {
	if s := strings.TrimSpace(l.v.GetString(name)); s != "" {
		return s
	}
	k, _ := lookupKey(name)
	return k.def
}

// source says where the value of a key came from.
func (l *loader) source(name string) string {
	if f := l.fs.Lookup(FlagName(name)); f != nil && f.Changed {
		return "flag --" + f.Name
	}
	if _, ok := os.LookupEnv(EnvName(name)); ok {
		return "environment"
	}
	if l.file != "" && l.v.InConfig(name) {
		return "config file " + l.file
	}
	return "default"
}

func (l *loader) fail(name, value, problem, fix string) {
	l.errs = append(l.errs, &Error{Key: name, Value: value, Source: l.source(name), Problem: problem, Fix: fix})
}

func (l *loader) dataDir() string {
	d := l.get(KeyDataDir)
	abs, err := filepath.Abs(d)
	if err != nil {
		l.fail(KeyDataDir, d, fmt.Sprintf("cannot make it absolute: %v", err), "give an absolute path")
		return d
	}
	return abs
}

// addr validates a listen address; an empty value disables the listener.
func (l *loader) addr(name string) string {
	a := strings.TrimSpace(l.v.GetString(name))
	if a == "" {
		return ""
	}
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		l.fail(name, a, "not a host:port address", "write it as HOST:PORT, e.g. 127.0.0.1:5988, :5989 or [::1]:5988, or empty to disable")
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.fail(name, a, "the port is not a number from 0 to 65535", "give a numeric port, e.g. :5989")
		return ""
	}
	return a
}

func (l *loader) tlsPair() (cert, key string) {
	cert, key = l.v.GetString(KeyTLSCert), l.v.GetString(KeyTLSKey)
	switch {
	case cert == "" && key == "":
		return "", ""
	case cert == "" || key == "":
		missing := KeyTLSCert
		if key == "" {
			missing = KeyTLSKey
		}
		l.fail(missing, "", "FERRUM_TLS_CERT and FERRUM_TLS_KEY must be set together",
			"set both to PEM files, or neither to use a self-signed certificate in the data directory")
		return "", ""
	}
	for _, f := range [][2]string{{KeyTLSCert, cert}, {KeyTLSKey, key}} {
		if _, err := os.Stat(f[1]); err != nil {
			l.fail(f[0], f[1], fmt.Sprintf("cannot read the file: %v", err), "point it at an existing PEM file")
		}
	}
	return cert, key
}

func (l *loader) adminPassword() string {
	pw := l.v.GetString(KeyAdminPassword)
	if pw == "" {
		return ""
	}
	if err := auth.ValidatePassword(pw); err != nil {
		l.fail(KeyAdminPassword, "", err.Error(),
			fmt.Sprintf("use %d to %d bytes, or unset it to have a strong password generated", auth.MinPasswordLen, auth.MaxPasswordLen))
	}
	return pw
}

func (l *loader) logLevel() slog.Level {
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	s := strings.ToLower(l.get(KeyLogLevel))
	lvl, ok := levels[s]
	if !ok {
		l.fail(KeyLogLevel, s, "not a log level", "use one of debug, info, warn, error")
	}
	return lvl
}

func (l *loader) oneOf(name string, allowed []string) string {
	s := strings.ToLower(l.get(name))
	if !slices.Contains(allowed, s) {
		l.fail(name, s, "not an accepted value", "use one of "+strings.Join(allowed, ", "))
	}
	return s
}

func (l *loader) size(name string, minimum int64) int64 {
	s := l.get(name)
	n, err := ParseSize(s)
	if err != nil || n < minimum {
		l.fail(name, s, fmt.Sprintf("not a size of at least %d bytes", minimum), "give bytes or a number with KiB, MiB or GiB, e.g. 16MiB")
	}
	return n
}

func (l *loader) duration(name string) time.Duration {
	s := l.get(name)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		l.fail(name, s, "not a positive duration", "give a Go duration, e.g. 30s or 2m")
	}
	return d
}

func (l *loader) intRange(name string, lo, hi int) int {
	s := l.get(name)
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		l.fail(name, s, fmt.Sprintf("not a whole number from %d to %d", lo, hi), fmt.Sprintf("give a number from %d to %d", lo, hi))
	}
	return n
}

// ParseSize parses a byte count: digits, optionally followed by B, KiB, MiB
// or GiB (K, M and G are accepted for the binary units too).
func ParseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("parse size %q: not a non-negative byte count", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("parse size %q: too large", s)
	}
	return n * mult, nil
}
