package auth

import (
	"context"
	"slices"
)

// A Principal is who an authenticated request acts for.
type Principal struct {
	User  string
	Roles []string
}

// HasRole reports whether p has the named role.
func (p Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the Principal ctx carries, and false if it carries
// none (an unauthenticated request).
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
