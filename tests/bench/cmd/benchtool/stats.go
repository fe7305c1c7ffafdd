package main

import (
	"math"
	"sort"
)

// sample is a set of measurements of one command.
type sample []float64

func (s sample) mean() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, v := range s {
		sum += v
	}
	return sum / float64(len(s))
}

// sd is the sample standard deviation (n-1).
func (s sample) sd() float64 {
	if len(s) < 2 {
		return 0
	}
	m := s.mean()
	var ss float64
	for _, v := range s {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(s)-1))
}

func (s sample) sorted() []float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	return c
}

func (s sample) median() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	c := s.sorted()
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func (s sample) min() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	return s.sorted()[0]
}

func (s sample) max() float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	return s.sorted()[len(s)-1]
}

// estimate is the cost of one timed task: the difference between the
// N-task playbook and the empty one, divided by N.
type estimate struct {
	Mean   float64 // (mean_N - mean_0) / N, seconds
	SE     float64 // standard error of Mean: sqrt(sd_N²/n_N + sd_0²/n_0) / N
	Median float64 // (median_N - median_0) / N, a check on Mean
	Runs   int
	N      int
}

func perTask(timed, empty sample, n int) estimate {
	if n <= 0 || len(timed) == 0 || len(empty) == 0 {
		return estimate{Mean: math.NaN(), SE: math.NaN(), Median: math.NaN(), N: n}
	}
	nf := float64(n)
	se := math.Sqrt(timed.sd()*timed.sd()/float64(len(timed))+empty.sd()*empty.sd()/float64(len(empty))) / nf
	return estimate{
		Mean:   (timed.mean() - empty.mean()) / nf,
		SE:     se,
		Median: (timed.median() - empty.median()) / nf,
		Runs:   len(timed),
		N:      n,
	}
}

// ratio is ours/python with the range one standard error either way gives.
type ratio struct{ Value, Low, High, Median float64 }

func ratioOf(ours, python estimate) ratio {
	r := ratio{Value: ours.Mean / python.Mean, Median: ours.Median / python.Median}
	r.Low = (ours.Mean - ours.SE) / (python.Mean + python.SE)
	if python.Mean-python.SE > 0 {
		r.High = (ours.Mean + ours.SE) / (python.Mean - python.SE)
	} else {
		r.High = math.Inf(1)
	}
	return r
}

// target is a ratio or a value to stay under: "<= 0.35", "< 1.0".
type target struct {
	Strict bool
	Value  float64
}

func (t target) String() string {
	if t.Strict {
		return "< " + trimFloat(t.Value)
	}
	return "≤ " + trimFloat(t.Value)
}

func (t target) met(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if t.Strict {
		return v < t.Value
	}
	return v <= t.Value
}
