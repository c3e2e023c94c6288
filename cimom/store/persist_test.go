package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// rawDB opens the file without the store, for inspecting and tampering.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ferrum.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := newGen(99)
	type stored struct {
		path cim.ObjectPath
		inst *cim.Instance
	}
	var want []stored
	for i := range 50 {
		in := g.instance(0)
		in.ClassName = "Ferrum_Random"
		p := cim.NewInstancePath("root/virt", "Ferrum_Random", cim.KeyBinding{Name: "Id", Value: cim.Uint32(uint32(i))})
		if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
			t.Fatal(err)
		}
		want = append(want, stored{p, in})
	}
	c := g.class()
	c.Name = "Ferrum_Runtime"
	steps := []error{
		s.PutClass(ctx, "root/virt", c),
		s.PutQualifierDecl(ctx, "root/virt", &cim.QualifierDecl{Name: "Q", Type: cim.TypeString, Default: cim.String("d")}),
		s.CreateNamespace(ctx, "root/Made"),
		s.CreateUser(ctx, User{Name: "u", PasswordHash: "h", Roles: []string{"r"}}),
		s.PutSetting(ctx, "k", "v"),
		s.Close(),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	i := 0
	err = s.EnumerateInstances(ctx, "root/virt", "Ferrum_Random", func(p cim.ObjectPath, in *cim.Instance) bool {
		if d := diffPath("path", want[i].path, p) + diffInstance("instance", want[i].inst, in); d != "" {
			t.Errorf("instance %d after reopen: %s", i, d)
		}
		i++
		return true
	})
	if err != nil || i != len(want) {
		t.Fatalf("enumerated %d of %d after reopen: %v", i, len(want), err)
	}
	cs, _ := s.Classes(ctx, "root/virt")
	ds, _ := s.QualifierDecls(ctx, "root/virt")
	nss, _ := s.Namespaces(ctx)
	u, uerr := s.GetUser(ctx, "u")
	v, _, _ := s.GetSetting(ctx, "k")
	if len(cs) != 1 || diffClass(c, cs[0]) != "" || len(ds) != 1 || fmt.Sprint(nss) != "[root/Made]" ||
		uerr != nil || u.Roles[0] != "r" || v != "v" {
		t.Fatalf("after reopen: classes %d, decls %d, namespaces %v, user %+v %v, setting %q", len(cs), len(ds), nss, u, uerr, v)
	}
}

func TestConnectionSettings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tests := []struct {
		name   string
		db     *sql.DB
		pragma string
		want   string
	}{
		{"the file is in WAL mode", s.w, "journal_mode", "wal"},
		{"the writer fsyncs every commit (synchronous=FULL)", s.w, "synchronous", "2"},
		{"readers use synchronous=FULL too", s.r, "synchronous", "2"},
		{"the writer enforces foreign keys", s.w, "foreign_keys", "1"},
		{"readers enforce foreign keys", s.r, "foreign_keys", "1"},
		{"the writer waits for locks", s.w, "busy_timeout", fmt.Sprint(busyTimeout.Milliseconds())},
		{"readers cannot write", s.r, "query_only", "1"},
		{"the writer can", s.w, "query_only", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			if err := tc.db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
	if stats := s.w.Stats(); stats.MaxOpenConnections != 1 {
		t.Fatalf("writer pool allows %d connections, want 1", stats.MaxOpenConnections)
	}
}

func TestMigrateForward(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ferrum.db")
	// A database written by a build that knew only the first step.
	old, err := openWith(ctx, path, migrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	p, in := vm("survivor")
	if err := old.CreateInstance(ctx, "root/virt", p, in); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	// This build migrates it forward; the instance survives and the new tables work.
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(migrations))
	}
	if got, err := s.GetInstance(ctx, "root/virt", p); err != nil || diffInstance("i", in, got) != "" {
		t.Fatalf("instance after migration: %v, %v", got, err)
	}
	if err := s.CreateUser(ctx, User{Name: "new"}); err != nil {
		t.Fatalf("a table added by a later step: %v", err)
	}
	s.Close()

	// A later build's step that rewrites existing data runs once, in order.
	next := append(migrations[:len(migrations):len(migrations)], migration{"tag instances", execAll(
		`ALTER TABLE instances ADD COLUMN tag TEXT NOT NULL DEFAULT ''`,
		`UPDATE instances SET tag = 'migrated'`,
	)})
	s, err = openWith(ctx, path, next)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var tag string
	if err := s.r.QueryRowContext(ctx, `SELECT tag FROM instances`).Scan(&tag); err != nil || tag != "migrated" {
		t.Fatalf("tag = %q, %v", tag, err)
	}
	var names []string
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if len(names) != len(next) || names[len(names)-1] != "tag instances" {
		t.Fatalf("schema_migrations = %v", names)
	}
}

func TestFailedMigrationLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ferrum.db")
	broken := append(migrations[:len(migrations):len(migrations)], migration{"half done", execAll(
		`CREATE TABLE half (x)`,
		`INSERT INTO no_such_table VALUES (1)`,
	)})
	if _, err := openWith(ctx, path, broken); err == nil {
		t.Fatal("Open with a failing step succeeded")
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("the steps before the failing one must stay applied: %v", err)
	}
	defer s.Close()
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the failing step left table half behind (%d, %v)", n, err)
	}
	if v, _ := s.SchemaVersion(ctx); v != len(migrations) {
		t.Fatalf("version %d after a failed step, want %d", v, len(migrations))
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ferrum.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	future := len(migrations) + 5
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 'from the future', '')`, future); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer database: %v, want ErrSchemaTooNew", err)
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil || v != future {
		t.Fatalf("the refused file changed: version %d, %v", v, err)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "ferrum.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	err = errors.Join(s.PutSetting(ctx, "k", "v"), s.Close())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the given path: %v", err)
	}
}

func TestOpenFailures(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"an empty path", ""},
		{"a directory that does not exist", filepath.Join(dir, "missing", "ferrum.db")},
		{"a path that is a directory", dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := Open(context.Background(), tc.path); err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}
