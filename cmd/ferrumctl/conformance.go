package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/ferrum-virt/ferrum/conformance"
	"github.com/ferrum-virt/ferrum/conformance/client"
	"github.com/ferrum-virt/ferrum/conformance/report"
)

// conformanceFlags are the options of `ferrumctl conformance`.
type conformanceFlags struct {
	url, user, password, protocol string
	profiles                      []string
	junit, html                   string
	destructive, insecure         bool
	verbose                       bool
}

func newConformanceCommand() *cobra.Command {
	var f conformanceFlags
	cmd := &cobra.Command{
		Use:   "conformance",
		Short: "Check a WBEM server against the DMTF virtualization profiles it advertises",
		Long: `conformance discovers the profiles a server registers in its Interop namespace
(DSP1033) and checks each one's mandatory classes, properties, associations and
error codes over CIM-XML, WS-Management or both. It prints one line per check and
"N passed, N failed, N skipped", and exits 1 if any check failed.

--url is the server's base URL (http://host:5988); the CIM-XML client posts to
/cimom and the WS-Man client to /wsman unless the URL already names a path.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runConformance(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "server base URL, e.g. http://127.0.0.1:5988 (required)")
	fl.StringVar(&f.user, "user", "", "user name for HTTP Basic authentication")
	fl.StringVar(&f.password, "password", "", "password (default: $FERRUM_PASSWORD)")
	fl.StringVar(&f.protocol, "protocol", "both", "cimxml, wsman or both")
	fl.StringSliceVar(&f.profiles, "profile", nil, "check only these profiles (DSP number or registered name); repeatable")
	fl.StringVar(&f.junit, "junit", "", "write a JUnit XML report to this file")
	fl.StringVar(&f.html, "html", "", "write an HTML report to this file")
	fl.BoolVar(&f.destructive, "destructive", false, "also run checks that change server state (and restore it)")
	fl.BoolVar(&f.insecure, "insecure", false, "do not verify the server's TLS certificate")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log every request")
	cmd.MarkFlagRequired("url")
	return cmd
}

// endpoint returns base with path appended unless base already has a path.
func endpoint(base, path string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("--url %q is not an http(s) URL", base)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = path
	}
	return u.String(), nil
}

func conformanceClients(f conformanceFlags) ([]client.Client, error) {
	if f.password == "" {
		f.password = os.Getenv("FERRUM_PASSWORD")
	}
	var out []client.Client
	for _, proto := range []string{"cimxml", "wsman"} {
		if f.protocol != "both" && f.protocol != proto {
			continue
		}
		path := map[string]string{"cimxml": "/cimom", "wsman": "/wsman"}[proto]
		u, err := endpoint(f.url, path)
		if err != nil {
			return nil, err
		}
		cfg := client.Config{URL: u, User: f.user, Password: f.password, Insecure: f.insecure}
		if proto == "cimxml" {
			out = append(out, client.NewCIMXML(cfg))
		} else {
			out = append(out, client.NewWSMan(cfg))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--protocol %q: want cimxml, wsman or both", f.protocol)
	}
	return out, nil
}

func runConformance(cmd *cobra.Command, f conformanceFlags) error {
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})))
	clients, err := conformanceClients(f)
	if err != nil {
		return err
	}
	rep := conformance.Run(context.Background(), f.url, clients, conformance.Options{Profiles: f.profiles, Destructive: f.destructive})
	if err := report.Text(cmd.OutOrStdout(), rep); err != nil {
		return err
	}
	for _, out := range []struct {
		file  string
		write func(w *os.File) error
	}{
		{f.junit, func(w *os.File) error { return report.JUnit(w, rep) }},
		{f.html, func(w *os.File) error { return report.HTML(w, rep) }},
	} {
		if out.file == "" {
			continue
		}
		if err := writeReport(out.file, out.write); err != nil {
			return err
		}
	}
	if rep.Failed() {
		return exitError{code: 1}
	}
	return nil
}

func writeReport(name string, write func(*os.File) error) error {
	w, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return w.Close()
}
