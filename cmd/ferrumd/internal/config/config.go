// Package config loads ferrumd's configuration from flags, FERRUM_*
// environment variables and a YAML file, in that order of precedence over
// built-in defaults, and validates it with messages that name the setting and
// the fix.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is ferrumd's validated configuration.
type Config struct {
	// DataDir is an absolute path.
	DataDir string
	// File is the config file that was read, or "" if none.
	File string
	// HTTPAddr and HTTPSAddr are listen addresses; "" disables a listener.
	HTTPAddr, HTTPSAddr string
	// TLSCert and TLSKey are PEM files; both "" means a self-signed
	// certificate kept in DataDir.
	TLSCert, TLSKey string
	// AdminPassword is the first admin's password; "" means generate one.
	AdminPassword   string
	LogLevel        slog.Level
	LogFormat       string // "text" or "json"
	MaxRequestBytes int64
	ShutdownTimeout time.Duration
	// Backend and SimHosts are carried for the backends; ferrumd does not
	// use them yet.
	Backend  string
	SimHosts int
	SimVMs   int
	// AgentAddr is where agents connect when Backend is "agents".
	AgentAddr string
}

// Backends lists the values KeyBackend accepts.
var Backends = []string{"sim", "agents"}

// Load reads the configuration with precedence flags > environment > config
// file > defaults. fs must hold the flags RegisterFlags defined, already
// parsed. Every invalid setting is reported, each as an *Error.
func Load(fs *pflag.FlagSet) (Config, error) {
	v, err := newViper(fs)
	if err != nil {
		return Config{}, err
	}
	file, err := readConfigFile(v)
	if err != nil {
		return Config{}, err
	}
	l := loader{v: v, fs: fs, file: file}
	cfg := l.config()
	if len(l.errs) > 0 {
		return Config{}, errors.Join(l.errs...)
	}
	return cfg, nil
}

func newViper(fs *pflag.FlagSet) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("FERRUM")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AllowEmptyEnv(true) // FERRUM_HTTP_ADDR= disables HTTP
	v.AutomaticEnv()
	for _, k := range append(keys, key{name: keyConfig}) {
		v.SetDefault(k.name, k.def)
		if f := fs.Lookup(FlagName(k.name)); f != nil {
			if err := v.BindPFlag(k.name, f); err != nil {
				return nil, fmt.Errorf("bind flag --%s: %w", f.Name, err)
			}
		}
	}
	return v, nil
}

// readConfigFile reads the file named by --config or FERRUM_CONFIG, which
// must exist, or else the first of <data dir>/ferrumd.yaml and ./ferrumd.yaml
// that exists. It returns the file read, or "".
func readConfigFile(v *viper.Viper) (string, error) {
	file := v.GetString(keyConfig)
	if file == "" {
		dataDir := v.GetString(KeyDataDir)
		if dataDir == "" {
			dataDir = "./ferrum-data"
		}
		for _, cand := range []string{filepath.Join(dataDir, "ferrumd.yaml"), "ferrumd.yaml"} {
			if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() {
				file = cand
				break
			}
		}
		if file == "" {
			return "", nil
		}
	}
	v.SetConfigFile(file)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return "", &Error{Key: keyConfig, Value: file, Problem: fmt.Sprintf("cannot read the config file: %v", err),
			Fix: "check the path and the YAML syntax", Err: err}
	}
	var unknown []string
	for _, name := range v.AllKeys() {
		if _, ok := lookupKey(name); !ok && v.InConfig(name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return "", &Error{Key: keyConfig, Value: file, Problem: "unknown keys " + strings.Join(unknown, ", "),
			Fix: "use the keys of the README's configuration table in lower case, e.g. http_addr"}
	}
	return file, nil
}
