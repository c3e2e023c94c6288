package sim

import (
	"math"
	"testing"
)

func TestShareCPU(t *testing.T) {
	tests := []struct {
		name     string
		capacity float64
		ds       []demand
		want     []float64
	}{
		{"an undercommitted host grants every want",
			8, []demand{{2, 256}, {3, 256}}, []float64{2, 3}},
		{"an overcommitted host shares by weight, 2:1",
			3, []demand{{4, 512}, {4, 256}}, []float64{2, 1}},
		{"a light VM's leftover goes to the busy ones (work-conserving)",
			4, []demand{{0.5, 256}, {4, 256}, {4, 256}}, []float64{0.5, 1.75, 1.75}},
		{"equal weights split equally",
			2, []demand{{2, 256}, {2, 256}, {2, 256}, {2, 256}}, []float64{0.5, 0.5, 0.5, 0.5}},
		{"an idle VM gets nothing and costs nothing",
			1, []demand{{0, 65535}, {2, 1}}, []float64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shareCPU(tt.capacity, tt.ds)
			var sum float64
			for i := range got {
				sum += got[i]
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Fatalf("grants %v, want %v", got, tt.want)
				}
			}
			if sum > tt.capacity+1e-9 {
				t.Fatalf("granted %v of %v CPUs", sum, tt.capacity)
			}
		})
	}
}
