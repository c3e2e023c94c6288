package proto

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Decoding limits: far above what a data center of thousands of VMs needs,
// far below what would hurt the manager.
const (
	maxNesting       = 24
	maxArrayElements = 1 << 17
	maxMapPairs      = 1 << 17
)

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.EncOptions{Time: cbor.TimeRFC3339Nano}.EncMode()
	if err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		MaxNestedLevels:  maxNesting,
		MaxArrayElements: maxArrayElements,
		MaxMapPairs:      maxMapPairs,
		IndefLength:      cbor.IndefLengthForbidden,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// RawMessage is an encoded CBOR value whose decoding is deferred.
type RawMessage = cbor.RawMessage

// Marshal encodes v as CBOR. Times keep nanoseconds and their offset.
func Marshal(v any) ([]byte, error) { return encMode.Marshal(v) }

// Unmarshal decodes CBOR data into v with the protocol's limits. Unknown
// fields are ignored, so a newer minor version can add fields.
func Unmarshal(data []byte, v any) error {
	if err := decMode.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %T: %w: %w", v, ErrMalformed, err)
	}
	return nil
}
