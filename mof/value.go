package mof

import (
	"math"
	"strconv"
)

// A Value is a constant, an array of values, an alias reference or an
// embedded instance, as written in an initializer or qualifier:
// *StringValue, *IntValue, *RealValue, *CharValue, *BoolValue, *NullValue,
// *AliasValue, *ArrayValue or *InstanceDecl.
type Value interface {
	Pos() Position
	value()
}

// A StringValue is a string constant; adjacent literals are already joined.
// An object path given as a reference value is a StringValue too.
type StringValue struct {
	Position Position
	Value    string
}

// An IntValue is an integer constant in any radix. Its value is
// -Magnitude when Negative is set, else Magnitude.
type IntValue struct {
	Position  Position
	Raw       string // as written
	Negative  bool
	Magnitude uint64
}

// Int64 returns the value if it fits in an int64.
func (v *IntValue) Int64() (int64, bool) {
	if !v.Negative {
		return int64(v.Magnitude), v.Magnitude <= math.MaxInt64
	}
	if v.Magnitude > 1<<63 {
		return 0, false
	}
	return -int64(v.Magnitude), true
}

// Uint64 returns the value if it is not negative.
func (v *IntValue) Uint64() (uint64, bool) {
	return v.Magnitude, !v.Negative || v.Magnitude == 0
}

// A RealValue is a real constant.
type RealValue struct {
	Position Position
	Raw      string // as written
	Value    float64
}

// A CharValue is a char16 constant.
type CharValue struct {
	Position Position
	Value    rune
}

// A BoolValue is TRUE or FALSE.
type BoolValue struct {
	Position Position
	Value    bool
}

// A NullValue is NULL.
type NullValue struct {
	Position Position
}

// An AliasValue refers to the instance declared with "as $Name".
type AliasValue struct {
	Position Position
	Name     string // without the $
}

// An ArrayValue is an array initializer { v, v, ... }, possibly empty.
type ArrayValue struct {
	Position Position
	Elements []Value
}

func (v *StringValue) Pos() Position { return v.Position }
func (v *IntValue) Pos() Position    { return v.Position }
func (v *RealValue) Pos() Position   { return v.Position }
func (v *CharValue) Pos() Position   { return v.Position }
func (v *BoolValue) Pos() Position   { return v.Position }
func (v *NullValue) Pos() Position   { return v.Position }
func (v *AliasValue) Pos() Position  { return v.Position }
func (v *ArrayValue) Pos() Position  { return v.Position }
func (*StringValue) value()          {}
func (*IntValue) value()             {}
func (*RealValue) value()            {}
func (*CharValue) value()            {}
func (*BoolValue) value()            {}
func (*NullValue) value()            {}
func (*AliasValue) value()           {}
func (*ArrayValue) value()           {}
func (*InstanceDecl) value()         {}

// parseInt converts an Integer token (decimal, 0x hex, 0 octal or b binary,
// with an optional sign) to an IntValue.
func parseInt(tok Token) (*IntValue, error) {
	v := &IntValue{Position: tok.Pos, Raw: tok.Text}
	s := tok.Text
	if s[0] == '+' || s[0] == '-' {
		v.Negative = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch last := s[len(s)-1]; {
	case len(s) > 1 && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case last == 'b' || last == 'B':
		base, s = 2, s[:len(s)-1]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	m, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return nil, errorf(tok.Pos, "integer %s does not fit in 64 bits", tok.Text)
	}
	v.Magnitude = m
	return v, nil
}

// parseReal converts a Real token to a RealValue.
func parseReal(tok Token) (*RealValue, error) {
	f, err := strconv.ParseFloat(tok.Text, 64)
	if err != nil {
		return nil, errorf(tok.Pos, "real %s is out of range", tok.Text)
	}
	return &RealValue{Position: tok.Pos, Raw: tok.Text, Value: f}, nil
}
