package daemon

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	"github.com/ferrum-virt/ferrum/cimom/store"
	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/config"
	"github.com/ferrum-virt/ferrum/wsman"
)

// This file holds the points where the parts being built elsewhere plug into
// the daemon. Run calls them in this order: openStore, buildCIMOM, bindings.

// DBFile is the SQLite database in the data directory.
const DBFile = "ferrum.db"

// openStore opens (creating and migrating) the SQLite store in the data
// directory. Run closes it after the servers have stopped.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	path := filepath.Join(cfg.DataDir, DBFile)
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	log.DebugContext(ctx, "store open", "op", "store", "path", path)
	return st, nil
}

// Bindings are the protocol handlers mounted on the CIM routes. Requests
// reach them with a body limited to FERRUM_MAX_REQUEST_BYTES (reading past it
// fails with *http.MaxBytesError, which a binding answers with 413) and,
// unless the binding authenticates itself, with an auth.Principal in their
// context.
type Bindings struct {
	// CIMXML serves POST and M-POST /cimom (DSP0200/0201) behind
	// auth.RequireBasic.
	CIMXML http.Handler
	// CIMXMLUnauthorized, if not nil, writes the CIM-XML 401 response (see
	// auth.WithUnauthorizedHandler).
	CIMXMLUnauthorized http.Handler
	// WSMan serves POST /wsman (DSP0226/0227).
	WSMan http.Handler
	// WSManAuthenticates mounts WSMan as it is, without auth.RequireBasic:
	// wsman.Handler checks credentials itself so that it can answer
	// Identify without them (give it the Authenticator bindings receives).
	WSManAuthenticates bool
}

// bindings returns the protocol handlers over e's dispatcher; authn is the
// authenticator the routes use, for bindings that authenticate by
// themselves. Handlers that hold resources register a closer with e.
func bindings(e *engine, authn *auth.Authenticator, cfg config.Config, log *slog.Logger) Bindings {
	ws := wsman.NewHandler(e.d, wsman.Options{
		Authenticator:  authn,
		Realm:          Realm,
		ProductVersion: Version,
		MaxRequestSize: cfg.MaxRequestBytes,
		Log:            log.With("component", "wsman"),
	})
	e.closers = append(e.closers, func() { _ = ws.Close() })
	cx := cimxml.NewHandler(e.d, cimxml.Options{
		Logger:          log.With("component", "cimxml"),
		MaxRequestBytes: cfg.MaxRequestBytes,
		Realm:           Realm,
	})
	e.closers = append(e.closers, cx.Close)
	return Bindings{
		CIMXML:             cx,
		WSMan:              ws,
		WSManAuthenticates: true,
	}
}

// notImplemented answers 501 with msg.
func notImplemented(msg string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, msg, http.StatusNotImplemented)
	})
}
