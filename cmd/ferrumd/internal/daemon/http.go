package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/gorilla/mux"
)

// Version is ferrumd's version, set at build time with -ldflags
// "-X github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/daemon.Version=…".
var Version = "dev"

// Realm is the HTTP Basic authentication realm.
const Realm = "ferrum"

// Server timeouts. Reads are bounded tightly; writes loosely, because a CIM
// operation may legitimately take a while before its response starts.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	writeTimeout      = 10 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// routes is what the router needs.
type routes struct {
	authn    *auth.Authenticator
	bindings Bindings
	admin    http.Handler // POST /admin/join-token; nil leaves it out
	maxBody  int64
	log      *slog.Logger
}

// newRouter returns ferrumd's HTTP handler, the same for HTTP and HTTPS:
// GET /healthz and /version without authentication, POST /cimom and /wsman
// behind HTTP Basic authentication (unless the WS-Man binding does its own),
// all with the body limit and the access log.
func newRouter(rt routes) http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/healthz", healthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/version", version).Methods(http.MethodGet, http.MethodHead)

	b := rt.bindings
	cimxmlOpts := []auth.BasicOption{auth.WithLogger(rt.log)}
	if b.CIMXMLUnauthorized != nil {
		cimxmlOpts = append(cimxmlOpts, auth.WithUnauthorizedHandler(b.CIMXMLUnauthorized))
	}
	// M-POST (DSP0200) reaches the binding too, which answers it or sends
	// 501 so the client falls back to POST.
	r.Handle("/cimom", auth.RequireBasic(rt.authn, Realm, notePrincipal(b.CIMXML), cimxmlOpts...)).Methods(http.MethodPost, "M-POST")
	wsman := b.WSMan
	if !b.WSManAuthenticates {
		wsman = auth.RequireBasic(rt.authn, Realm, notePrincipal(wsman), auth.WithLogger(rt.log))
	}
	r.Handle("/wsman", wsman).Methods(http.MethodPost)
	if rt.admin != nil {
		r.Handle("/admin/join-token", auth.RequireBasic(rt.authn, Realm, notePrincipal(rt.admin), auth.WithLogger(rt.log))).Methods(http.MethodPost)
	}
	return accessLog(rt.log, limitBody(rt.maxBody, r))
}

// newServer returns an http.Server for h with ferrumd's timeouts; its own
// errors (TLS handshakes from scanners and the like) go to the debug log.
func newServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]string{"status": "ok"})
}

func version(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]string{"name": "ferrumd", "version": Version, "go": runtime.Version()})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// limitBody refuses bodies declared larger than max with 413 and caps the
// others at max bytes.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			http.Error(w, fmt.Sprintf("request body larger than %d bytes", max), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// reqInfo carries what inner handlers learn back out to the access log.
type reqInfo struct{ user string }

type reqInfoKey struct{}

// accessLog logs one debug line per request, with the authenticated user.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		info := &reqInfo{}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info)))
		log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("op", "http"), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("duration", time.Since(start)),
			slog.String("user", info.user), slog.String("addr", r.RemoteAddr))
	})
}

// notePrincipal records the authenticated user for the access log.
func notePrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
			if p, ok := auth.PrincipalFrom(r.Context()); ok {
				info.user = p.User
			}
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush,
// deadlines), which streaming bindings need.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
