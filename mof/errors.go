package mof

import (
	"fmt"
	"strings"
)

// A ParseError is a problem found at a position in MOF source: a lexical or
// syntax error, or an include that could not be followed. Err, when set, is the
// underlying cause (for example fs.ErrNotExist) and is returned by Unwrap.
type ParseError struct {
	Pos Position
	Msg string
	Err error
}

// Error formats the error as file:line:col: message.
func (e *ParseError) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns the underlying cause, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// errorf builds a ParseError at pos.
func errorf(pos Position, format string, args ...any) *ParseError {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// expected builds the standard "expected X, found Y" syntax error at tok.
func expected(what string, tok Token) *ParseError {
	return &ParseError{Pos: tok.Pos, Msg: "expected " + what + ", found " + tok.describe()}
}

// An ErrorList is the list of errors found in one parse, in source order.
// errors.As finds its first *ParseError through Unwrap.
type ErrorList []*ParseError

// Error reports the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Unwrap returns the errors so that errors.Is and errors.As see each of them.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Detail lists every error on its own line.
func (l ErrorList) Detail() string {
	var b strings.Builder
	for _, e := range l {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// A Warning is a construct that was accepted but is probably not what the
// author meant, such as an unknown escape sequence in a string.
type Warning struct {
	Pos Position
	Msg string
}

// String formats the warning as file:line:col: message.
func (w Warning) String() string { return w.Pos.String() + ": " + w.Msg }
