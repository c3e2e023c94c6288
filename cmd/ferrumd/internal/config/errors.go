package config

import (
	"fmt"
)

// An Error is an invalid setting: it names the setting, where its value came
// from and how to fix it.
type Error struct {
	Key     string // the config file key, e.g. "log_level"
	Value   string // "" for secrets
	Source  string // e.g. "flag --log-level", "environment", "file ferrumd.yaml"
	Problem string
	Fix     string
	Err     error // the underlying error, if any
}

func (e *Error) Error() string {
	s := EnvName(e.Key)
	if e.Value != "" {
		s += fmt.Sprintf("=%q", e.Value)
	}
	if e.Source != "" {
		s += " (from " + e.Source + ")"
	}
	return s + ": " + e.Problem + "; " + e.Fix
}

func (e *Error) Unwrap() error { return e.Err }
