package config

import (
	"strings"

	"github.com/spf13/pflag"
)

// A key is one configuration setting. Its name is the key in a config file;
// the environment variable is FERRUM_ and the name in upper case, and the
// flag is the name with dashes.
type key struct {
	name   string
	def    string
	usage  string
	noFlag bool // secrets stay off the command line, where ps shows them
}

// Configuration keys, in the order of the README's table.
const (
	KeyDataDir         = "data_dir"
	KeyHTTPAddr        = "http_addr"
	KeyHTTPSAddr       = "https_addr"
	KeyTLSCert         = "tls_cert"
	KeyTLSKey          = "tls_key"
	KeyAdminPassword   = "admin_password"
	KeyLogLevel        = "log_level"
	KeyLogFormat       = "log_format"
	KeyMaxRequestBytes = "max_request_bytes"
	KeyShutdownTimeout = "shutdown_timeout"
	KeyBackend         = "backend"
	KeySimHosts        = "sim_hosts"
	KeySimVMs          = "sim_vms"
	KeyAgentAddr       = "agent_addr"
)

// keyConfig is the --config flag and FERRUM_CONFIG; it is not a file key.
const keyConfig = "config"

var keys = []key{
	{name: KeyDataDir, def: "./ferrum-data", usage: "directory for the database, TLS certificate, lock and generated admin password"},
	{name: KeyHTTPAddr, def: "127.0.0.1:5988", usage: "HTTP listen address; empty disables HTTP"},
	{name: KeyHTTPSAddr, def: ":5989", usage: "HTTPS listen address; empty disables HTTPS"},
	{name: KeyTLSCert, usage: "PEM certificate for HTTPS; default: a self-signed one generated into the data dir"},
	{name: KeyTLSKey, usage: "PEM private key for FERRUM_TLS_CERT"},
	{name: KeyAdminPassword, noFlag: true, usage: "password of the admin user created on first start; default: a generated one"},
	{name: KeyLogLevel, def: "info", usage: "log level: debug, info, warn or error"},
	{name: KeyLogFormat, def: "text", usage: "log format: text or json"},
	{name: KeyMaxRequestBytes, def: "16MiB", usage: "largest request body accepted, in bytes or with KiB/MiB/GiB"},
	{name: KeyShutdownTimeout, def: "30s", usage: "how long shutdown waits for in-flight requests"},
	{name: KeyBackend, def: "sim", usage: "hypervisor backend: sim (simulated data center) or agents (hosts running ferrum-agent)"},
	{name: KeySimHosts, def: "4", usage: "number of simulated hosts of the sim backend"},
	{name: KeyAgentAddr, def: ":5990", usage: "listen address for ferrum-agent connections (mutual TLS) when FERRUM_BACKEND=agents"},
	{name: KeySimVMs, def: "2", usage: "virtual servers the sim backend defines on each host at start (every other one running)"},
}

// EnvName returns the environment variable of a configuration key.
func EnvName(name string) string { return "FERRUM_" + strings.ToUpper(name) }

// FlagName returns the command-line flag of a configuration key.
func FlagName(name string) string { return strings.ReplaceAll(name, "_", "-") }

// RegisterFlags defines ferrumd's flags on fs: --config and one per key.
func RegisterFlags(fs *pflag.FlagSet) {
	fs.String(keyConfig, "", "config file (YAML); default: <data-dir>/ferrumd.yaml or ./ferrumd.yaml if present")
	for _, k := range keys {
		if !k.noFlag {
			fs.String(FlagName(k.name), k.def, k.usage+" ("+EnvName(k.name)+")")
		}
	}
}

func lookupKey(name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}
