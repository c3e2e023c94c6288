package config

import (
	"strconv"
	"testing"
)

// FuzzParseSize checks that ParseSize never panics, never returns a negative
// size, and reads its own plain output back unchanged.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"16MiB", "1024", "512 KiB", "1G", "-1", "9223372036854775807", "1.5M", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
		back, err := ParseSize(strconv.FormatInt(n, 10))
		if err != nil || back != n {
			t.Fatalf("ParseSize(%d) = %d, %v", n, back, err)
		}
	})
}
