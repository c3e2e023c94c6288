package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// listenOptions are the flags of ferrumctl listen.
type listenOptions struct {
	url, protocol, query, namespace, listen, callbackHost string
	insecure                                              bool
	urlSet                                                bool          // --url was given
	delivery                                              string        // wsman: push or pushwithack
	expires                                               time.Duration // wsman: the subscription's expiry, renewed at half
}

func newListenCommand() *cobra.Command {
	var o listenOptions
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Subscribe to indications and print each as a JSON line",
		Long: `listen starts an indication listener, subscribes it to the server, prints
every indication it receives as one JSON line on stdout, and unsubscribes when
it ends (SIGINT or SIGTERM).

With --protocol cimxml (the default) it creates a CIM_IndicationFilter, a
CIM_ListenerDestinationCIMXML and a CIM_IndicationSubscription in root/interop
over CIM-XML, and deletes them at the end. With --protocol wsman it subscribes
through WS-Eventing (DSP0226 §10) at the server's /wsman, receives WS-Man event
messages (acknowledging them in PushWithAck mode), renews the subscription
while it runs and sends Unsubscribe at the end.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.urlSet = cmd.Flags().Changed("url")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runListen(ctx, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "http://localhost:5988", "the server, with credentials: http://user:pw@host:5988 (wsman: http://localhost:5985/wsman)")
	f.StringVar(&o.protocol, "protocol", "cimxml", "how to subscribe: cimxml or wsman")
	f.StringVar(&o.delivery, "delivery", "pushwithack", "wsman delivery mode: push or pushwithack")
	f.DurationVar(&o.expires, "expires", 10*time.Minute, "wsman: the subscription's expiry, renewed at half of it while listening")
	f.StringVar(&o.query, "query", "SELECT * FROM CIM_InstIndication", "the WQL filter")
	f.StringVar(&o.namespace, "namespace", "root/virt", "the source namespace of the indications")
	f.StringVar(&o.listen, "listen", "127.0.0.1:0", "the listener's address")
	f.StringVar(&o.callbackHost, "callback-host", "", "the host the server reaches the listener at (the listen address's)")
	f.BoolVar(&o.insecure, "insecure", false, "skip TLS certificate verification")
	return cmd
}

// runListen subscribes, prints indications until ctx ends, and unsubscribes.
func runListen(ctx context.Context, o listenOptions, stdout, stderr io.Writer) error {
	switch o.protocol {
	case "cimxml":
	case "wsman":
		return runListenWSMan(ctx, o, stdout, stderr)
	default:
		return fmt.Errorf("--protocol %s: use cimxml or wsman", o.protocol)
	}
	u, err := url.Parse(o.url)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	cfg := client.Config{Insecure: o.insecure}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Password, _ = u.User.Password()
		u.User = nil
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/cimom"
	}
	cfg.URL = u.String()
	ln, dest, err := listenerAddress(o)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(stdout)
	srv := &http.Server{ReadHeaderTimeout: 30 * time.Second, Handler: cimxml.NewListener(func(_ context.Context, ind *cim.Instance) error {
		mu.Lock()
		defer mu.Unlock()
		return enc.Encode(instanceJSON(ind))
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	c := client.NewCIMXML(cfg)
	created, err := subscribe(ctx, c, o, dest)
	defer unsubscribe(c, created, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "listening on %s for %q\n", dest, o.query)
	<-ctx.Done()
	return nil
}

// listenerAddress opens the listener's socket and returns the URL the
// server reaches it at.
func listenerAddress(o listenOptions) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	dest := "http://" + ln.Addr().String() + "/"
	if o.callbackHost != "" {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		dest = "http://" + net.JoinHostPort(o.callbackHost, port) + "/"
	}
	return ln, dest, nil
}

// subscribe creates the filter, the destination and the subscription; it
// returns what it created, in creation order, even when it fails halfway.
func subscribe(ctx context.Context, c *client.CIMXML, o listenOptions, dest string) ([]cim.ObjectPath, error) {
	const interop = "root/interop"
	var created []cim.ObjectPath
	filter := cim.NewInstance("CIM_IndicationFilter").Set("Query", cim.String(o.query)).
		Set("QueryLanguage", cim.String("WQL")).Set("SourceNamespaces", cim.StringArray(o.namespace))
	fp, err := c.CreateInstance(ctx, interop, filter)
	if err != nil {
		return created, fmt.Errorf("create the filter: %w", err)
	}
	created = append(created, withNamespace(fp, interop))
	hp, err := c.CreateInstance(ctx, interop, cim.NewInstance("CIM_ListenerDestinationCIMXML").Set("Destination", cim.String(dest)))
	if err != nil {
		return created, fmt.Errorf("create the listener destination: %w", err)
	}
	created = append(created, withNamespace(hp, interop))
	sub := cim.NewInstance("CIM_IndicationSubscription").Set("Filter", cim.Ref(fp)).Set("Handler", cim.Ref(hp))
	sp, err := c.CreateInstance(ctx, interop, sub)
	if err != nil {
		return created, fmt.Errorf("create the subscription: %w", err)
	}
	return append(created, withNamespace(sp, interop)), nil
}

func withNamespace(p cim.ObjectPath, ns string) cim.ObjectPath {
	if p.Namespace == "" {
		p.Namespace = ns
	}
	return p
}

// unsubscribe deletes what subscribe created, subscription first.
func unsubscribe(c *client.CIMXML, created []cim.ObjectPath, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	for i := len(created) - 1; i >= 0; i-- {
		if err := c.DeleteInstance(ctx, created[i]); err != nil {
			errs = append(errs, fmt.Errorf("delete %s: %w", created[i].ClassName, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(stderr, "ferrumctl listen:", err)
	}
}

// instanceJSON renders an indication as {"class": …, "properties": {…}}:
// embedded instances nested, arrays as lists, other values as their text.
func instanceJSON(inst *cim.Instance) map[string]any {
	props := make(map[string]any, len(inst.Properties))
	for _, pv := range inst.Properties {
		props[pv.Name] = valueJSON(pv.Value)
	}
	return map[string]any{"class": inst.ClassName, "properties": props}
}

func valueJSON(v cim.Value) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsArray():
		out := make([]any, v.Len())
		for i := range out {
			out[i] = valueJSON(v.Index(i))
		}
		return out
	case v.AsInstance() != nil:
		return instanceJSON(v.AsInstance())
	}
	return strings.Clone(v.Text())
}
