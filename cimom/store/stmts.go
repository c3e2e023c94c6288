package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are the prepared statements of the hot instance paths. SQLite
// spends about as long parsing a short statement as running it, so these
// are prepared once per connection (database/sql caches the preparation on
// each connection of the pool) instead of on every call.
type statements struct {
	insert, update, delete *sql.Stmt // on the writer
	get, enumerate, count  *sql.Stmt // on the readers
}

func (st *statements) prepare(ctx context.Context, w, r *sql.DB) error {
	for _, p := range []struct {
		stmt **sql.Stmt
		db   *sql.DB
		sql  string
	}{
		{&st.insert, w, `INSERT INTO instances (ns, class, key, path, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ns, key) DO NOTHING`},
		{&st.update, w, `UPDATE instances SET data = ? WHERE ns = ? AND key = ?`},
		{&st.delete, w, `DELETE FROM instances WHERE ns = ? AND key = ?`},
		{&st.get, r, `SELECT data FROM instances WHERE ns = ? AND key = ?`},
		{&st.enumerate, r, `SELECT path, data FROM instances WHERE ns = ? AND class = ? ORDER BY seq`},
		{&st.count, r, `SELECT count(*) FROM instances WHERE ns = ? AND class = ?`},
	} {
		var err error
		if *p.stmt, err = p.db.PrepareContext(ctx, p.sql); err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
	}
	return nil
}

func (st *statements) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{st.insert, st.update, st.delete, st.get, st.enumerate, st.count} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
