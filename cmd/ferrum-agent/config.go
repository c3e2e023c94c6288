package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Configuration keys. The flag is the key with dashes, the environment
// variable FERRUM_AGENT_ and the key in upper case.
const (
	keyManager      = "manager"
	keyJoinToken    = "join_token"
	keyStateDir     = "state_dir"
	keyBackend      = "backend"
	keyLibvirtURI   = "libvirt_uri"
	keyDomainType   = "libvirt_domain_type"
	keySimSeed      = "sim_seed"
	keySimIndex     = "sim_index"
	keySimSpeed     = "sim_speed"
	keyHeartbeat    = "heartbeat"
	keyMigrationURI = "migration_uri"
	keyReconnectMax = "reconnect_max"
	keyLogLevel     = "log_level"
	keyLogFormat    = "log_format"
)

type setting struct{ name, def, usage string }

var settings = []setting{
	{keyManager, "", "the manager's agent listener, host:port (required)"},
	{keyJoinToken, "", "one-time join token from the manager, needed on the first start only"},
	{keyStateDir, "/var/lib/ferrum-agent", "directory for the node's key (0600), certificate and the manager's CA"},
	{keyBackend, "", "hypervisor backend: libvirt, or sim for an in-process simulated host (required)"},
	{keyLibvirtURI, "qemu:///system", "libvirt connection URI of the libvirt backend"},
	{keyDomainType, "", "domain type of the VMs the libvirt backend defines: kvm, or qemu (TCG, for hosts without KVM); default the best the host offers"},
	{keySimSeed, "1", "seed of the simulated host's hardware and UUID"},
	{keySimIndex, "0", "index of the simulated host; agents on one machine need different indexes"},
	{keySimSpeed, "1", "how fast simulated time runs against real time"},
	{keyHeartbeat, "1s", "heartbeat interval"},
	{keyMigrationURI, "", "URI other hosts use to reach this one for a migration, e.g. qemu+tls://node2/system"},
	{keyReconnectMax, "30s", "longest wait between reconnection attempts"},
	{keyLogLevel, "info", "log level: debug, info, warn or error"},
	{keyLogFormat, "text", "log format: text or json"},
}

func envName(key string) string  { return "FERRUM_AGENT_" + strings.ToUpper(key) }
func flagName(key string) string { return strings.ReplaceAll(key, "_", "-") }

func registerFlags(fs *pflag.FlagSet) {
	for _, s := range settings {
		fs.String(flagName(s.name), s.def, s.usage+" ["+envName(s.name)+"]")
	}
}

// config is ferrum-agent's validated configuration.
type config struct {
	Manager, JoinToken, StateDir string
	Backend, LibvirtURI          string
	DomainType                   string
	SimSeed                      int64
	SimIndex                     int
	SimSpeed                     float64
	Heartbeat, ReconnectMax      time.Duration
	MigrationURI                 string
	LogLevel                     slog.Level
	LogFormat                    string
}

// loadConfig reads flags over FERRUM_AGENT_* over defaults and reports
// every invalid setting.
func loadConfig(fs *pflag.FlagSet) (config, error) {
	v := viper.New()
	v.SetEnvPrefix("FERRUM_AGENT")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	for _, s := range settings {
		v.SetDefault(s.name, s.def)
		if err := v.BindPFlag(s.name, fs.Lookup(flagName(s.name))); err != nil {
			return config{}, err
		}
	}
	var errs []error
	bad := func(key, problem string) {
		errs = append(errs, fmt.Errorf("--%s / %s=%q: %s", flagName(key), envName(key), v.GetString(key), problem))
	}
	c := config{Manager: v.GetString(keyManager), JoinToken: v.GetString(keyJoinToken),
		StateDir: v.GetString(keyStateDir), Backend: v.GetString(keyBackend), LibvirtURI: v.GetString(keyLibvirtURI),
		MigrationURI: v.GetString(keyMigrationURI), LogFormat: v.GetString(keyLogFormat), DomainType: v.GetString(keyDomainType)}
	if c.Manager == "" {
		bad(keyManager, "required: the address of the manager's agent listener, e.g. manager.example:5990")
	}
	if c.StateDir == "" {
		bad(keyStateDir, "required")
	}
	if c.Backend != "sim" && c.Backend != "libvirt" {
		bad(keyBackend, "must be libvirt or sim")
	}
	if c.DomainType != "" && c.DomainType != "kvm" && c.DomainType != "qemu" {
		bad(keyDomainType, "must be kvm or qemu, or empty for the best the host offers")
	}
	var err error
	if c.SimSeed, err = parseInt(v.GetString(keySimSeed)); err != nil {
		bad(keySimSeed, "not an integer")
	}
	if idx, err := parseInt(v.GetString(keySimIndex)); err != nil || idx < 0 || idx > 1<<16 {
		bad(keySimIndex, "not an integer from 0 to 65536")
	} else {
		c.SimIndex = int(idx)
	}
	if c.SimSpeed, err = strconv.ParseFloat(v.GetString(keySimSpeed), 64); err != nil || c.SimSpeed <= 0 {
		bad(keySimSpeed, "not a positive number")
	}
	for key, d := range map[string]*time.Duration{keyHeartbeat: &c.Heartbeat, keyReconnectMax: &c.ReconnectMax} {
		if *d, err = time.ParseDuration(v.GetString(key)); err != nil || *d <= 0 {
			bad(key, "not a positive duration such as 1s or 500ms")
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(v.GetString(keyLogLevel))); err != nil {
		bad(keyLogLevel, "must be debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad(keyLogFormat, "must be text or json")
	}
	return c, errors.Join(errs...)
}

func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }
