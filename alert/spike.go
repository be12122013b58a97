package alert

import (
	"fmt"
	"math"

	"github.com/earshothq/earshot/record"
)

// Counts are the mentions of one window: all of them, and those with a
// sentiment split into negative and the rest.
type Counts struct {
	Total    int64
	Negative int64
	// Rated have a sentiment label (positive, neutral or negative).
	Rated int64
}

func (c *Counts) add(o Counts) {
	c.Total += o.Total
	c.Negative += o.Negative
	c.Rated += o.Rated
}

// SpikeTest is how far above normal a window must be to fire.
type SpikeTest struct {
	Metric      string
	K           float64
	MinCount    int
	MinIncrease float64
}

// Verdict is the outcome of a spike test, with the numbers behind it.
type Verdict struct {
	Fire      bool
	Observed  float64
	Baseline  float64
	Sigma     float64
	Threshold float64
	Windows   int // history windows the baseline was computed from
	// Why says, in words, why it fired or not.
	Why string
}

// minHistoryWindows is the least history a baseline needs to mean anything.
const minHistoryWindows = 3

// Test compares the current window with the history windows.
//
// The baseline is the mean of the metric over the history, σ its standard
// deviation, floored at the sampling noise of the current window (√baseline
// for counts, which are roughly Poisson; √(p(1−p)/n) for a share): a
// history that happened to be very regular must not make a small wobble
// look like a spike. A window fires when it exceeds baseline + K·σ, holds
// at least MinCount mentions (rated mentions, for a share), and rose at
// least MinIncrease above the baseline.
func (t SpikeTest) Test(history []Counts, cur Counts) Verdict {
	var values []float64
	for _, h := range history {
		if v, ok := t.value(h); ok {
			values = append(values, v)
		}
	}
	obs, ok := t.value(cur)
	v := Verdict{Observed: obs, Windows: len(values)}
	if !ok {
		v.Why = "no rated mentions in the window"
		return v
	}
	if len(values) < minHistoryWindows {
		v.Why = fmt.Sprintf("only %d history windows with data (need %d)", len(values), minHistoryWindows)
		return v
	}
	var sum float64
	for _, x := range values {
		sum += x
	}
	mean := sum / float64(len(values))
	var ss float64
	for _, x := range values {
		ss += (x - mean) * (x - mean)
	}
	sigma := math.Sqrt(ss / float64(len(values)-1))
	switch t.Metric {
	case record.MetricNegativeShare:
		if cur.Rated > 0 {
			sigma = math.Max(sigma, math.Sqrt(mean*(1-mean)/float64(cur.Rated)))
		}
	default:
		sigma = math.Max(sigma, math.Sqrt(mean))
	}
	v.Baseline, v.Sigma = mean, sigma
	v.Threshold = mean + t.K*sigma
	count := cur.Total
	if t.Metric == record.MetricNegativeShare {
		count = cur.Rated
	}
	switch {
	case obs <= v.Threshold:
		v.Why = fmt.Sprintf("%s is within baseline + %g·σ (%s)", t.format(obs), t.K, t.format(v.Threshold))
	case count < int64(t.MinCount):
		v.Why = fmt.Sprintf("only %d mentions in the window (minimum %d)", count, t.MinCount)
	case obs < mean*(1+t.MinIncrease):
		v.Why = fmt.Sprintf("%s is less than %.0f%% above the baseline %s", t.format(obs), t.MinIncrease*100, t.format(mean))
	default:
		v.Fire = true
		z := math.Inf(1)
		if sigma > 0 {
			z = (obs - mean) / sigma
		}
		v.Why = fmt.Sprintf("%s is %.1fσ above the baseline %s (σ %s, threshold %s over %d windows)",
			t.format(obs), z, t.format(mean), t.format(sigma), t.format(v.Threshold), len(values))
	}
	return v
}

// value is the metric of one window; a share needs rated mentions.
func (t SpikeTest) value(c Counts) (float64, bool) {
	if t.Metric == record.MetricNegativeShare {
		if c.Rated == 0 {
			return 0, false
		}
		return float64(c.Negative) / float64(c.Rated), true
	}
	return float64(c.Total), true
}

func (t SpikeTest) format(x float64) string {
	if t.Metric == record.MetricNegativeShare {
		return fmt.Sprintf("%.1f%%", x*100)
	}
	return fmt.Sprintf("%.1f", x)
}
