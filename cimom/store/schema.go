package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// PutClass stores the local (unflattened) declaration of a class created at
// runtime in namespace ns, replacing an earlier declaration of the same
// name (case-insensitive) but keeping its place in Classes' order.
func (s *Store) PutClass(ctx context.Context, ns string, c *cim.Class) error {
	if c == nil || c.Name == "" {
		return fmt.Errorf("put class in %s: %w: nil or unnamed class", ns, ErrInvalid)
	}
	data, err := EncodeClass(c)
	if err != nil {
		return fmt.Errorf("put class %s in %s: %w", c.Name, ns, err)
	}
	if err := s.putDecl(ctx, "classes", ns, c.Name, data); err != nil {
		return fmt.Errorf("put class %s in %s: %w", c.Name, ns, err)
	}
	return nil
}

// DeleteClass deletes the declaration of the class named name from
// namespace ns, or fails with ErrNotFound. Instances of the class are the
// caller's concern.
func (s *Store) DeleteClass(ctx context.Context, ns, name string) error {
	if err := s.deleteDecl(ctx, "classes", ns, name); err != nil {
		return fmt.Errorf("delete class %s in %s: %w", name, ns, err)
	}
	return nil
}

// Classes returns the class declarations stored for namespace ns, in the
// order they were first put.
func (s *Store) Classes(ctx context.Context, ns string) ([]*cim.Class, error) {
	cs, err := listDecls(ctx, s, "classes", ns, DecodeClass)
	if err != nil {
		return nil, fmt.Errorf("list classes in %s: %w", ns, err)
	}
	return cs, nil
}

// PutQualifierDecl stores a qualifier declaration for namespace ns,
// replacing one of the same name (case-insensitive).
func (s *Store) PutQualifierDecl(ctx context.Context, ns string, d *cim.QualifierDecl) error {
	if d == nil || d.Name == "" {
		return fmt.Errorf("put qualifier declaration in %s: %w: nil or unnamed declaration", ns, ErrInvalid)
	}
	data, err := EncodeQualifierDecl(d)
	if err != nil {
		return fmt.Errorf("put qualifier declaration %s in %s: %w", d.Name, ns, err)
	}
	if err := s.putDecl(ctx, "qualifier_decls", ns, d.Name, data); err != nil {
		return fmt.Errorf("put qualifier declaration %s in %s: %w", d.Name, ns, err)
	}
	return nil
}

// DeleteQualifierDecl deletes the qualifier declaration named name from
// namespace ns, or fails with ErrNotFound.
func (s *Store) DeleteQualifierDecl(ctx context.Context, ns, name string) error {
	if err := s.deleteDecl(ctx, "qualifier_decls", ns, name); err != nil {
		return fmt.Errorf("delete qualifier declaration %s in %s: %w", name, ns, err)
	}
	return nil
}

// QualifierDecls returns the qualifier declarations stored for namespace
// ns, in the order they were first put.
func (s *Store) QualifierDecls(ctx context.Context, ns string) ([]*cim.QualifierDecl, error) {
	ds, err := listDecls(ctx, s, "qualifier_decls", ns, DecodeQualifierDecl)
	if err != nil {
		return nil, fmt.Errorf("list qualifier declarations in %s: %w", ns, err)
	}
	return ds, nil
}

// putDecl upserts a declaration record into table (a constant).
func (s *Store) putDecl(ctx context.Context, table, ns, name string, data []byte) error {
	if nsKey(ns) == "" {
		return fmt.Errorf("%w: empty namespace", ErrInvalid)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO `+table+` (ns, key, data) VALUES (?, ?, ?)
		ON CONFLICT (ns, key) DO UPDATE SET data = excluded.data`,
		nsKey(ns), strings.ToLower(name), data)
	return err
}

func (s *Store) deleteDecl(ctx context.Context, table, ns, name string) error {
	return affected(s.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE ns = ? AND key = ?`,
		nsKey(ns), strings.ToLower(name)))
}

func listDecls[T any](ctx context.Context, s *Store, table, ns string, decode func([]byte) (T, error)) ([]T, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT data FROM `+table+` WHERE ns = ? ORDER BY seq`, nsKey(ns))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		v, err := decode(data)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CreateNamespace records a namespace created at runtime, or fails with
// ErrExists when one of the same name (case-insensitive, ignoring leading
// and trailing slashes) exists. Namespaces need not be created to hold
// classes or instances: the built-in ones never are.
func (s *Store) CreateNamespace(ctx context.Context, ns string) error {
	key := nsKey(ns)
	if key == "" {
		return fmt.Errorf("create namespace %q: %w: empty name", ns, ErrInvalid)
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO namespaces (key, name) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, strings.Trim(ns, "/"))
	if err = affected(res, err); errors.Is(err, ErrNotFound) {
		err = ErrExists
	}
	if err != nil {
		return fmt.Errorf("create namespace %s: %w", ns, err)
	}
	return nil
}

// DeleteNamespace deletes a namespace created with CreateNamespace together
// with every class, qualifier declaration and instance stored in it, in one
// transaction. It fails with ErrNotFound, deleting nothing, when no such
// namespace was created.
func (s *Store) DeleteNamespace(ctx context.Context, ns string) error {
	key := nsKey(ns)
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, `DELETE FROM namespaces WHERE key = ?`, key)); err != nil {
			return err
		}
		for _, table := range []string{"instances", "classes", "qualifier_decls"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE ns = ?`, key); err != nil {
				return fmt.Errorf("delete %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete namespace %s: %w", ns, err)
	}
	s.log.InfoContext(ctx, "namespace deleted", "op", "delete-namespace", "ns", ns)
	return nil
}

// Namespaces returns the namespaces created with CreateNamespace, in their
// original spelling and creation order.
func (s *Store) Namespaces(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM namespaces ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list namespaces: %w", err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	return out, nil
}
