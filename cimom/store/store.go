package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Sentinel errors, wrapped with context in the errors the store returns;
// test for them with errors.Is.
var (
	// ErrNotFound: the named object does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: an object with the same key already exists.
	ErrExists = errors.New("store: already exists")
	// ErrInvalid: an argument the store cannot accept (an empty name, a
	// path whose class differs from its instance's, a value no CIM
	// constructor makes).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrSchemaTooNew: the database was written by a newer Ferrum whose
	// schema this build does not know; it is left untouched.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this build")
)

// busyTimeout is how long a connection waits for a lock held by another
// connection or process before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// A Store is Ferrum's persistent state in one SQLite file. It is safe for
// concurrent use. Writes go through a single connection, so they are
// serialised in Go rather than by lock retries; reads use a pool of
// read-only connections and, thanks to WAL, never wait for a writer and see
// every write that has returned.
type Store struct {
	path string
	w    *sql.DB // one connection: every write
	r    *sql.DB // read-only pool: every read
	log  *slog.Logger
	now  func() time.Time

	stmts  statements
	closed atomic.Bool
}

// Open opens (creating if needed) the database at path, applies the schema
// migrations the file lacks, and returns the store. It refuses, with
// ErrSchemaTooNew, a database whose schema is newer than this build.
func Open(ctx context.Context, path string) (*Store, error) {
	return openWith(ctx, path, migrations)
}

func openWith(ctx context.Context, path string, steps []migration) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("open store: %w: empty path", ErrInvalid)
	}
	s := &Store{path: path, log: slog.Default().With("component", "store"), now: time.Now}
	var err error
	if s.w, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.init(ctx, steps); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if s.r, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	if err := s.stmts.prepare(ctx, s.w, s.r); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// dsn returns the connection string for path. Every connection gets the
// busy timeout, foreign keys and synchronous=FULL; the writer's
// transactions begin IMMEDIATE so they take the write lock up front and
// never fail half-way on a lock upgrade; readers are query_only.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// init switches the file to WAL and migrates it.
func (s *Store) init(ctx context.Context, steps []migration) error {
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fmt.Errorf("set WAL journal mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("set WAL journal mode: the database stays in %q mode", mode)
	}
	return s.migrate(ctx, steps)
}

// Close closes the store, first letting SQLite refresh its query planner
// statistics. Closing the last connection checkpoints the WAL into the
// main file. Calls after the first do nothing.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs := []error{s.stmts.close()}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		s.log.Warn("optimize before close failed", "op", "close", "err", err)
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// write runs fn in one write transaction and commits it; any error rolls
// the whole transaction back. fn must not call other Store methods that
// write: the writer is a single connection.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// affected turns a statement result that changed no row into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
