package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// nsKey is the stored key of a namespace: lower-cased, without leading or
// trailing slashes, as ObjectPath.Canonical writes it.
func nsKey(ns string) string { return strings.ToLower(strings.Trim(ns, "/")) }

// instanceKey is the stored key of an instance path within its namespace:
// the canonical path without host or namespace, since the namespace is a
// column of its own and a client may name it in the path or leave it out.
func instanceKey(p cim.ObjectPath) string {
	p.Host, p.Namespace = "", ""
	return p.Canonical()
}

// instanceArgs checks the arguments of a create or replace and encodes the
// instance.
func instanceArgs(ns string, path cim.ObjectPath, inst *cim.Instance) (data []byte, err error) {
	switch {
	case nsKey(ns) == "":
		return nil, fmt.Errorf("%w: empty namespace", ErrInvalid)
	case path.ClassName == "":
		return nil, fmt.Errorf("%w: path names no class", ErrInvalid)
	case inst == nil:
		return nil, fmt.Errorf("%w: nil instance", ErrInvalid)
	case !strings.EqualFold(inst.ClassName, path.ClassName):
		return nil, fmt.Errorf("%w: instance of %s at a path of class %s", ErrInvalid, inst.ClassName, path.ClassName)
	}
	return EncodeInstance(inst)
}

// CreateInstance stores inst under path in namespace ns. It fails with
// ErrExists when an instance with the same canonical path (ignoring host
// and namespace spelling) is already stored there. The path is kept as
// given and returned by EnumerateInstances.
func (s *Store) CreateInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	if err := insertInstance(ctx, s.stmts.insert, ns, path, inst); err != nil {
		return fmt.Errorf("create instance %s in %s: %w", path, ns, err)
	}
	return nil
}

// insertInstance is CreateInstance through insert, the prepared insert
// statement or its transaction-bound copy (tx.StmtContext), so that several
// inserts can share one transaction.
func insertInstance(ctx context.Context, insert *sql.Stmt, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	data, err := instanceArgs(ns, path, inst)
	if err != nil {
		return err
	}
	pathRec, err := EncodePath(path)
	if err != nil {
		return err
	}
	res, err := insert.ExecContext(ctx, nsKey(ns), strings.ToLower(path.ClassName), instanceKey(path), pathRec, data)
	if err = affected(res, err); errors.Is(err, ErrNotFound) {
		return ErrExists
	}
	return err
}

// GetInstance returns the instance stored under path in namespace ns, or
// an error wrapping ErrNotFound.
func (s *Store) GetInstance(ctx context.Context, ns string, path cim.ObjectPath) (*cim.Instance, error) {
	var data string
	err := s.stmts.get.QueryRowContext(ctx, nsKey(ns), instanceKey(path)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get instance %s in %s: %w", path, ns, err)
	}
	inst, err := decodeInstance(data)
	if err != nil {
		return nil, fmt.Errorf("get instance %s in %s: %w", path, ns, err)
	}
	return inst, nil
}

// ReplaceInstance replaces the instance stored under path in namespace ns,
// keeping its place in creation order and the path it was created with. It
// fails with ErrNotFound when there is none.
func (s *Store) ReplaceInstance(ctx context.Context, ns string, path cim.ObjectPath, inst *cim.Instance) error {
	data, err := instanceArgs(ns, path, inst)
	if err != nil {
		return fmt.Errorf("replace instance %s in %s: %w", path, ns, err)
	}
	err = affected(s.stmts.update.ExecContext(ctx, data, nsKey(ns), instanceKey(path)))
	if err != nil {
		return fmt.Errorf("replace instance %s in %s: %w", path, ns, err)
	}
	return nil
}

// DeleteInstance deletes the instance stored under path in namespace ns.
// It fails with ErrNotFound when there is none.
func (s *Store) DeleteInstance(ctx context.Context, ns string, path cim.ObjectPath) error {
	err := affected(s.stmts.delete.ExecContext(ctx, nsKey(ns), instanceKey(path)))
	if err != nil {
		return fmt.Errorf("delete instance %s in %s: %w", path, ns, err)
	}
	return nil
}

// EnumerateInstances yields the instances whose class is exactly class
// (case-insensitive; not subclasses) in namespace ns, in creation order,
// with the paths they were created with, stopping when yield returns false.
// Rows are decoded one at a time as they stream from the database, inside
// one read transaction: yield sees a consistent snapshot and may call other
// Store methods, writes included (they are not seen by this enumeration).
// Each enumeration in progress holds one of the read connections (at least
// four, GOMAXPROCS if more), so yield must not nest enumerations deeper
// than that.
func (s *Store) EnumerateInstances(ctx context.Context, ns, class string, yield func(path cim.ObjectPath, inst *cim.Instance) bool) error {
	rows, err := s.stmts.enumerate.QueryContext(ctx, nsKey(ns), strings.ToLower(class))
	if err != nil {
		return fmt.Errorf("enumerate %s in %s: %w", class, ns, err)
	}
	defer rows.Close()
	var pathRec, data sql.RawBytes
	for rows.Next() {
		if err := ctx.Err(); err != nil { // database/sql notices cancellation only eventually
			return fmt.Errorf("enumerate %s in %s: %w", class, ns, err)
		}
		if err := rows.Scan(&pathRec, &data); err != nil {
			return fmt.Errorf("enumerate %s in %s: %w", class, ns, err)
		}
		path, err := decodePath(string(pathRec))
		if err != nil {
			return fmt.Errorf("enumerate %s in %s: %w", class, ns, err)
		}
		inst, err := decodeInstance(string(data))
		if err != nil {
			return fmt.Errorf("enumerate %s in %s: instance %s: %w", class, ns, path, err)
		}
		if !yield(path, inst) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("enumerate %s in %s: %w", class, ns, err)
	}
	return nil
}

// CountInstances returns the number of instances whose class is exactly
// class in namespace ns.
func (s *Store) CountInstances(ctx context.Context, ns, class string) (int, error) {
	var n int
	err := s.stmts.count.QueryRowContext(ctx, nsKey(ns), strings.ToLower(class)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s in %s: %w", class, ns, err)
	}
	return n, nil
}
