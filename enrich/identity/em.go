package identity

import (
	"math"
	"slices"
)

// emPriorStrength is how many pairs' worth of the starting probabilities
// every estimate is smoothed with, so a level seen rarely among the pairs
// (an email shared by two different people) keeps a finite weight.
const emPriorStrength = 20

// Probability bounds keep every weight finite.
const (
	minProb = 1e-6
	maxProb = 1 - 1e-6
	// minM: no disagreement is impossible among true matches (people
	// move, mistype, change names), so none may weigh below log2(minM/u).
	minM = 0.002
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

// nameFields are the fields every blocking key is built from.
var nameFields = [numFields]bool{fFirst: true, fLast: true}

// EstimateEM estimates the m probabilities from the comparison vectors of
// candidate pairs and returns a model with them and start's u (which
// should come from random pairs: see uFromPairs).
//
// Candidate pairs are chosen by blocking on names, so among them different
// people agree on names far more often than chance, and a mixture fitted
// on every field can mistake "same name" for "same person". As in
// Splink's practice the estimate therefore runs in two sessions:
//  1. expectation–maximisation (two classes, fields conditionally
//     independent) on every field except the names: it separates true
//     matches from namesakes by date of birth, address, email, phone...;
//  2. the name levels' m from those posteriors: how names compare among
//     pairs the other fields say are the same person.
//
// Identical vectors are counted once with their multiplicity, so an
// iteration costs the number of distinct patterns, not pairs.
func EstimateEM(vectors []vector, start *Model, iterations int, tolerance float64) (*Model, EMResult) {
	counts := make(map[vector]float64, 1024)
	for _, v := range vectors {
		counts[v]++
	}
	pats := make([]vector, 0, len(counts))
	for v := range counts {
		pats = append(pats, v)
	}
	// A fixed order makes the floating-point sums, and so the result, repeatable.
	slices.SortFunc(pats, func(a, b vector) int { return slices.Compare(a[:], b[:]) })
	cnt := make([]float64, len(pats))
	// Session 1 leaves out pairs that look like two members of one
	// household (family name and address agree, given names do not):
	// their address agrees although they are different people, which
	// breaks the independence EM assumes and would teach it that a birth
	// date a generation apart is common among matches.
	cnt1 := make([]float64, len(pats))
	for i, v := range pats {
		cnt[i] = counts[v]
		if !householdPattern(&v) {
			cnt1[i] = cnt[i]
		}
	}
	res := EMResult{Pairs: len(vectors), Patterns: len(pats)}
	if len(pats) == 0 {
		return start, res
	}
	// Session 1.
	cur := *start
	p := clamp(cur.Prior, 0.001, 0.999)
	g := make([]float64, len(pats))
	for it := 1; it <= iterations; it++ {
		res.Iterations = it
		posteriors(pats, &cur, p, g)
		var next Model
		var sumG, total float64
		for i := range pats {
			sumG += g[i] * cnt1[i]
			total += cnt1[i]
		}
		if total == 0 {
			break
		}
		for f := range numFields {
			if nameFields[f] {
				next.M[f], next.U[f] = cur.M[f], cur.U[f]
				continue
			}
			next.M[f], next.U[f] = levelShares(pats, cnt1, g, f, start)
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
	// Session 2: the names' m under the posteriors of the other fields.
	posteriors(pats, &cur, p, g)
	for f := range numFields {
		if nameFields[f] {
			cur.M[f], _ = levelShares(pats, cnt, g, f, start)
		}
	}
	out := *start
	out.M, out.Prior, out.Estimated = cur.M, p, true
	// A field whose strongest agreement is not likelier among matches than
	// among non-matches was mislearnt: keep its starting probabilities.
	for f := range numFields {
		if out.M[f][0] <= out.U[f][0] {
			out.M[f] = start.M[f]
			res.Reverted = append(res.Reverted, fieldSpecs[f].Name)
		}
	}
	out.computeWeights()
	return &out, res
}

// posteriors sets g[i] to the probability that pattern i is a match,
// judged on every field but the names.
func posteriors(pats []vector, m *Model, p float64, g []float64) {
	for i, v := range pats {
		lm, lu := math.Log(p), math.Log(1-p)
		for f := range numFields {
			if v[f] >= 0 && !nameFields[f] {
				lm += math.Log(m.M[f][v[f]])
				lu += math.Log(m.U[f][v[f]])
			}
		}
		g[i] = 1 / (1 + math.Exp(lu-lm))
	}
}

// levelShares is the M-step of one field: the share of each level among
// matches (weights g) and non-matches (1-g), smoothed towards start.
func levelShares(pats []vector, cnt, g []float64, f int, start *Model) (m, u [maxLevels]float64) {
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
		m[l] = clamp((am[l]+emPriorStrength*start.M[f][l])/(tm+emPriorStrength), minM, maxProb)
		u[l] = clamp((au[l]+emPriorStrength*start.U[f][l])/(tu+emPriorStrength), minProb, maxProb)
	}
	return m, u
}

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

// householdPattern reports a pair whose family name and address agree
// while the given names differ.
func householdPattern(v *vector) bool {
	return (v[fLast] == 0 || v[fLast] == 1) && v[fFirst] >= 3 &&
		(v[fStreet] == 0 || v[fStreet] == 1 || v[fStreet] == missing && v[fPostcode] == 0)
}
