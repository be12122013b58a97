package identity

import (
	"math"
)

// emPriorStrength is how many pairs' worth of the starting probabilities
// every estimate is smoothed with, so a level seen rarely among the pairs
// (an email shared by two different people) keeps a finite weight.
const emPriorStrength = 20

// Probability bounds keep every weight finite.
const (
	minProb = 1e-6
	maxProb = 1 - 1e-6
)

// EMResult reports an estimation run.
type EMResult struct {
	Pairs      int
	Patterns   int
	Iterations int
	Converged  bool
	// Reverted lists fields whose estimate was implausible (agreement no
	// likelier among matches than among non-matches) and kept their
	// starting probabilities.
	Reverted []string
}

// EstimateEM estimates m, u and the match share by expectation–maximisation
// over the comparison vectors of candidate pairs (the classic two-class
// mixture with conditionally independent fields), starting from start.
// Identical vectors are counted once with their multiplicity, so the cost
// per iteration is the number of distinct patterns, not pairs.
func EstimateEM(vectors []vector, start *Model, iterations int, tolerance float64) (*Model, EMResult) {
	counts := make(map[vector]float64, 1024)
	for _, v := range vectors {
		counts[v]++
	}
	pats := make([]vector, 0, len(counts))
	cnt := make([]float64, 0, len(counts))
	for v, c := range counts {
		pats = append(pats, v)
		cnt = append(cnt, c)
	}
	res := EMResult{Pairs: len(vectors), Patterns: len(pats)}
	if len(pats) == 0 {
		return start, res
	}
	cur := *start
	p := clamp(cur.Prior, 0.001, 0.999)
	g := make([]float64, len(pats))
	for it := 1; it <= iterations; it++ {
		res.Iterations = it
		// E-step: probability that each pattern is a match.
		for i, v := range pats {
			lm, lu := math.Log(p), math.Log(1-p)
			for f := range numFields {
				if v[f] >= 0 {
					lm += math.Log(cur.M[f][v[f]])
					lu += math.Log(cur.U[f][v[f]])
				}
			}
			g[i] = 1 / (1 + math.Exp(lu-lm))
		}
		// M-step: re-estimate every level's m and u and the match share.
		var next Model
		var sumG, total float64
		for i := range pats {
			sumG += g[i] * cnt[i]
			total += cnt[i]
		}
		for f := range numFields {
			var am, au [maxLevels]float64
			var tm, tu float64
			for i, v := range pats {
				if l := v[f]; l >= 0 {
					am[l] += g[i] * cnt[i]
					au[l] += (1 - g[i]) * cnt[i]
					tm += g[i] * cnt[i]
					tu += (1 - g[i]) * cnt[i]
				}
			}
			for l := range fieldSpecs[f].Levels {
				next.M[f][l] = clamp((am[l]+emPriorStrength*start.M[f][l])/(tm+emPriorStrength), minProb, maxProb)
				next.U[f][l] = clamp((au[l]+emPriorStrength*start.U[f][l])/(tu+emPriorStrength), minProb, maxProb)
			}
		}
		nextP := clamp(sumG/total, 0.0005, 0.9995)
		delta := math.Abs(nextP - p)
		for f := range numFields {
			for l := range fieldSpecs[f].Levels {
				delta = max(delta, math.Abs(next.M[f][l]-cur.M[f][l]), math.Abs(next.U[f][l]-cur.U[f][l]))
			}
		}
		cur.M, cur.U, p = next.M, next.U, nextP
		if delta < tolerance {
			res.Converged = true
			break
		}
	}
	// A field whose strongest agreement is not likelier among matches than
	// among non-matches was mislearnt (the mixture split on something
	// else): keep its starting probabilities.
	for f := range numFields {
		if cur.M[f][0] <= cur.U[f][0] {
			cur.M[f], cur.U[f] = start.M[f], start.U[f]
			res.Reverted = append(res.Reverted, fieldSpecs[f].Name)
		}
	}
	cur.Prior = p
	cur.Estimated = true
	cur.computeWeights()
	return &cur, res
}

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }
