// Package daemon runs ferrumd: it takes the data directory's lock, opens the
// store, creates the first administrator, builds the CIM object manager and
// serves it over HTTP and HTTPS until its context ends.
package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/store"
	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/config"
)

// endpoint is one listener and the server on it.
type endpoint struct {
	scheme string // "http" or "https"
	ln     net.Listener
	srv    *http.Server
}

// Run serves Ferrum as cfg says until ctx ends, then stops accepting, waits up
// to cfg.ShutdownTimeout for requests in flight, closes the store and
// releases the data directory. It returns nil after a clean shutdown; a
// *config.Error when a setting turns out unusable (a TLS file that does not
// parse); an error wrapping ErrDataDirInUse when another instance runs.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger) (err error) {
	start := time.Now()
	if err := prepareDataDir(cfg.DataDir, log); err != nil {
		return err
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, lock.release()) }()

	eps, err := listen(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeListeners(eps) // a no-op once the servers have shut down

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return startErr(ctx, fmt.Errorf("open store: %w", err), log)
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	handler, closeEngine, err := buildHandler(ctx, cfg, st, log)
	if err != nil {
		return startErr(ctx, err, log)
	}
	defer closeEngine() // after the servers have drained, before the store closes

	errc := make(chan error, len(eps))
	for _, ep := range eps {
		ep.srv = newServer(handler, log)
		go func() { errc <- serve(ep) }()
	}
	log.Info("ferrumd ready", "op", "start", "http", addrOf(eps, "http"), "https", addrOf(eps, "https"),
		"data_dir", cfg.DataDir, "version", Version, "startup", time.Since(start).Round(time.Millisecond))

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("ferrumd stopping", "op", "stop", "timeout", cfg.ShutdownTimeout)
	case serveErr = <-errc:
		log.Error("listener failed; stopping", "op", "stop", "err", serveErr)
	}
	shutdown(context.WithoutCancel(ctx), eps, cfg.ShutdownTimeout, log)
	log.Info("ferrumd stopped", "op", "stop")
	return serveErr
}

// startErr returns err from a start-up step, or nil if the step failed only
// because ctx ended: a signal during start-up is a request to stop, not a
// failure.
func startErr(ctx context.Context, err error, log *slog.Logger) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		log.Info("ferrumd stopped during start-up", "op", "stop")
		return nil
	}
	return err
}

// buildHandler creates the first admin if needed, the authenticator, the CIM
// object manager and its bindings, and returns the router over them.
func buildHandler(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (http.Handler, func(), error) {
	users := storeUsers{st}
	generated, err := auth.EnsureAdmin(ctx, users, cfg.AdminPassword, cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	if generated != "" {
		log.Warn("created user admin with a generated password; it is shown only this once and saved in the file",
			"op", "auth", "user", auth.AdminUser, "password", generated, "file", filepath.Join(cfg.DataDir, auth.AdminPasswordFile))
	}
	authn, err := auth.NewAuthenticator(users, auth.AuthenticatorOptions{})
	if err != nil {
		return nil, nil, err
	}
	eng, err := buildCIMOM(ctx, cfg, st, log)
	if err != nil {
		return nil, nil, fmt.Errorf("build CIM object manager: %w", err)
	}
	b := bindings(eng, authn, cfg, log)
	return newRouter(routes{authn: authn, bindings: b, admin: joinTokenHandler(eng.nodes), maxBody: cfg.MaxRequestBytes, log: log}), eng.close, nil
}

// prepareDataDir creates dir with mode 0700, and warns if an existing one is
// open to other users.
func prepareDataDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory (FERRUM_DATA_DIR): %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory (FERRUM_DATA_DIR): %w", err)
	}
	if !fi.IsDir() {
		return &config.Error{Key: config.KeyDataDir, Value: dir, Problem: "not a directory", Fix: "point it at a directory"}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		log.Warn("data directory is accessible to other users; it holds secrets", "op", "start", "data_dir", dir,
			"mode", fi.Mode().Perm().String(), "fix", "chmod 700 "+dir)
	}
	return nil
}

// listen opens the configured listeners, HTTPS with its certificate.
func listen(ctx context.Context, cfg config.Config, log *slog.Logger) ([]*endpoint, error) {
	var eps []*endpoint
	var lc net.ListenConfig
	for _, l := range []struct{ scheme, addr, key string }{
		{"http", cfg.HTTPAddr, config.KeyHTTPAddr}, {"https", cfg.HTTPSAddr, config.KeyHTTPSAddr},
	} {
		if l.addr == "" {
			continue
		}
		ln, err := lc.Listen(ctx, "tcp", l.addr)
		if err != nil {
			closeListeners(eps)
			return nil, fmt.Errorf("listen on %s (%s): %w", l.addr, config.EnvName(l.key), err)
		}
		if l.scheme == "https" {
			tc, err := serverTLS(cfg, log)
			if err != nil {
				ln.Close()
				closeListeners(eps)
				return nil, err
			}
			ln = tls.NewListener(ln, tc)
		}
		eps = append(eps, &endpoint{scheme: l.scheme, ln: ln})
	}
	return eps, nil
}

// serverTLS returns the HTTPS configuration with the configured certificate,
// or the data directory's self-signed one.
func serverTLS(cfg config.Config, log *slog.Logger) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	if cfg.TLSCert != "" {
		cert, err = tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, &config.Error{Key: config.KeyTLSCert, Value: cfg.TLSCert, Problem: fmt.Sprintf("cannot load with FERRUM_TLS_KEY: %v", err),
				Fix: "give a PEM certificate and its matching PEM private key", Err: err}
		}
	} else if cert, err = loadOrCreateCert(cfg.DataDir, time.Now(), log); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}, nil
}

func serve(ep *endpoint) error {
	if err := ep.srv.Serve(ep.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s on %s: %w", ep.scheme, ep.ln.Addr(), err)
	}
	return nil
}

// shutdown stops every server: no new connections, then up to timeout for
// requests in flight, then closes what is left.
func shutdown(ctx context.Context, eps []*endpoint, timeout time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, ep := range eps {
		wg.Go(func() {
			if err := ep.srv.Shutdown(ctx); err != nil {
				log.Warn("requests still in flight at the shutdown timeout; closing them", "op", "stop", "addr", ep.ln.Addr().String(), "err", err)
				ep.srv.Close()
			}
		})
	}
	wg.Wait()
}

func closeListeners(eps []*endpoint) {
	for _, ep := range eps {
		ep.ln.Close()
	}
}

// addrOf returns the address of the scheme's listener, or "" if disabled.
func addrOf(eps []*endpoint, scheme string) string {
	for _, ep := range eps {
		if ep.scheme == scheme {
			return ep.ln.Addr().String()
		}
	}
	return ""
}
