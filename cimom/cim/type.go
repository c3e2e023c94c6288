package cim

import "strings"

// Type is a CIM data type (DSP0004 §5.2). Arrays are a property of a Value or a
// declaration, not a separate Type.
type Type uint8

// The CIM types. TypeInstance is the type of an embedded instance or object
// value; its declared CIM type is string with an EmbeddedInstance or
// EmbeddedObject qualifier.
const (
	TypeInvalid Type = iota
	TypeBoolean
	TypeUint8
	TypeSint8
	TypeUint16
	TypeSint16
	TypeUint32
	TypeSint32
	TypeUint64
	TypeSint64
	TypeReal32
	TypeReal64
	TypeChar16
	TypeString
	TypeDateTime
	TypeReference
	TypeInstance
)

var typeNames = [...]string{
	TypeInvalid:   "invalid",
	TypeBoolean:   "boolean",
	TypeUint8:     "uint8",
	TypeSint8:     "sint8",
	TypeUint16:    "uint16",
	TypeSint16:    "sint16",
	TypeUint32:    "uint32",
	TypeSint32:    "sint32",
	TypeUint64:    "uint64",
	TypeSint64:    "sint64",
	TypeReal32:    "real32",
	TypeReal64:    "real64",
	TypeChar16:    "char16",
	TypeString:    "string",
	TypeDateTime:  "datetime",
	TypeReference: "reference",
	TypeInstance:  "instance",
}

// String returns the DSP0004 name of t ("uint32", "datetime", "reference").
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "invalid"
}

// ParseType returns the Type named s (case-insensitive); ok is false when s
// names no CIM type. "object" is accepted as a synonym for an embedded
// instance, as CIM-XML uses it.
func ParseType(s string) (t Type, ok bool) {
	ls := strings.ToLower(s)
	if ls == "object" {
		return TypeInstance, true
	}
	for i, n := range typeNames {
		if i != int(TypeInvalid) && n == ls {
			return Type(i), true
		}
	}
	return TypeInvalid, false
}

// IsInteger reports whether t is one of the eight integer types.
func (t Type) IsInteger() bool { return t >= TypeUint8 && t <= TypeSint64 }

// IsSigned reports whether t is a signed integer type.
func (t Type) IsSigned() bool {
	return t == TypeSint8 || t == TypeSint16 || t == TypeSint32 || t == TypeSint64
}

// IsReal reports whether t is real32 or real64.
func (t Type) IsReal() bool { return t == TypeReal32 || t == TypeReal64 }

// IsNumeric reports whether t is an integer or real type.
func (t Type) IsNumeric() bool { return t.IsInteger() || t.IsReal() }

// bits returns the width of an integer type.
func (t Type) bits() int {
	switch t {
	case TypeUint8, TypeSint8:
		return 8
	case TypeUint16, TypeSint16:
		return 16
	case TypeUint32, TypeSint32:
		return 32
	default:
		return 64
	}
}
