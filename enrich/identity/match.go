package identity

import (
	"math"
	"slices"
	"strings"

	"github.com/earshothq/earshot/record"
)

// Decision is the identity outcome for one record.
type Decision struct {
	Outcome    string // record.MatchExact, MatchPossible or MatchNone
	CustomerID string // the matched customer (outcome match only)
	Score      float64
	// Key is the exact identity key that found the customer, if one did.
	Key        string
	Evidence   []record.FieldEvidence
	Candidates []record.Candidate
	// Swapped says the record's given and family names were read the other
	// way round to match.
	Swapped bool
}

// Identity converts the decision to the record field.
func (d Decision) Identity() record.Identity {
	return record.Identity{
		Outcome:    d.Outcome,
		CustomerID: d.CustomerID,
		Score:      d.Score,
		Key:        d.Key,
		Evidence:   d.Evidence,
		Candidates: d.Candidates,
	}
}

// candidates gathers the customers worth scoring for q: the customers
// sharing an exact key with it when there are any (an email, phone or
// account is decisive enough not to look further), otherwise the
// customers sharing the most blocking keys with it.
func (x *index) candidates(q *view, maxBlock, maxCands int) (exact []uint32, key string, cands []uint32) {
	exact, key = x.exactMatches(q, nil)
	if len(exact) > 0 {
		return exact, key, exact
	}
	var kbuf [128]uint64
	keys := x.blockKeys(q, kbuf[:0], true)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// Postings as customer<<2 | key weight, so sorting groups a customer's.
	var cbuf [256]uint64
	all := cbuf[:0]
	var vbuf [128]uint32
	for _, h := range keys {
		vals, ok := x.blocks.appendValues(vbuf[:0], h, maxBlock)
		if !ok {
			continue // too common to select anything
		}
		w := uint64(keyWeight(h))
		for _, v := range vals {
			all = append(all, uint64(v)<<2|w)
		}
	}
	if len(all) == 0 {
		return nil, "", nil
	}
	slices.Sort(all)
	// Sum the weights of the keys each customer shares with q.
	type hit struct {
		idx  uint32
		keys int
	}
	hits := make([]hit, 0, len(all))
	for i := 0; i < len(all); {
		idx := uint32(all[i] >> 2)
		sum := 0
		for i < len(all) && uint32(all[i]>>2) == idx {
			sum += int(all[i] & 3)
			i++
		}
		hits = append(hits, hit{idx, sum})
	}
	// The true record usually shares several keys, some with a birth date
	// or postcode; a namesake shares the name keys only. Score the
	// best-connected customers only.
	most := 0
	for _, h := range hits {
		most = max(most, h.keys)
	}
	if most >= 3 {
		keep := hits[:0]
		for _, h := range hits {
			if 2*h.keys >= most {
				keep = append(keep, h)
			}
		}
		hits = keep
	}
	if len(hits) > maxCands {
		slices.SortStableFunc(hits, func(a, b hit) int { return b.keys - a.keys })
		hits = hits[:maxCands]
	}
	cands = make([]uint32, len(hits))
	for i, h := range hits {
		cands[i] = h.idx
	}
	return nil, "", cands
}

// decide scores q against its candidates and applies the thresholds. It
// returns the comparison vectors of every scored pair (for EM).
func (r *Resolver) decide(q *view, m *Model, wantVectors bool) (Decision, []vector) {
	exact, key, cands := r.idx.candidates(q, r.cfg.MaxBlockSize, r.cfg.MaxCandidates)
	if len(cands) == 0 {
		return Decision{Outcome: record.MatchNone}, nil
	}
	s := scorer{x: r.idx, m: m, tf: r.cfg.Weights.FrequencyAdjust && r.idx.live >= r.cfg.Weights.FrequencyMinCustomers, tfRatioC: 4}
	results := make([]scored, len(cands))
	var vecs []vector
	if wantVectors {
		vecs = make([]vector, len(cands))
	}
	for i, c := range cands {
		results[i] = s.score(q, c)
		results[i].exact = slices.Contains(exact, c)
		if wantVectors {
			vecs[i] = results[i].vec
		}
	}
	slices.SortFunc(results, func(a, b scored) int {
		switch {
		case a.total > b.total:
			return -1
		case a.total < b.total:
			return 1
		}
		return 0
	})
	best := results[0]
	d := Decision{Score: round2(best.total), Swapped: best.swapped}
	switch {
	case best.total >= r.cfg.UpperThreshold:
		if len(results) > 1 && results[1].total >= r.cfg.UpperThreshold && best.total-results[1].total < r.cfg.AmbiguityMargin {
			d.Outcome = record.MatchPossible // two look-alikes: a person decides
		} else {
			d.Outcome = record.MatchExact
		}
	case best.total >= r.cfg.LowerThreshold:
		d.Outcome = record.MatchPossible
	default:
		d.Outcome = record.MatchNone
	}
	if d.Outcome == record.MatchExact {
		if hs, ok := householdScore(&best, m, r.idx.householdRate()); ok && hs < r.cfg.HouseholdThreshold {
			// Another member of the family at that address explains the
			// agreement as well: a person decides.
			d.Outcome = record.MatchPossible
		}
	}
	if d.Outcome == record.MatchExact {
		d.CustomerID = strings.Clone(r.idx.recs.field(best.idx, pID)) // not a view into the arena
		d.Evidence = evidence(&best)
		if best.exact {
			d.Key = key
		}
	}
	// A possible match lists who it may be, for a person to decide.
	if d.Outcome == record.MatchPossible {
		for _, c := range results {
			if len(d.Candidates) == r.cfg.MaxReported || c.total < r.cfg.LowerThreshold {
				break
			}
			d.Candidates = append(d.Candidates, record.Candidate{
				CustomerID: strings.Clone(r.idx.recs.field(c.idx, pID)),
				Score:      round2(c.total),
				Evidence:   evidence(&c),
			})
		}
	}
	return d, vecs
}

// householdU are the chances of each given-name and birth-date level
// between two different members of one household (parents, children,
// siblings, spouses): the given name differs almost always (a son named
// after his father is the "exact" share), the birth dates a few or a
// generation apart, the same date for twins only.
var householdU = [numFields][maxLevels]float64{
	fFirst: {0.02, 0.005, 0.004, 0.02, 0.08, 0.871},
	fDOB:   {0.05, 0.01, 0.02, 0.42, 0.50},
}

// householdScore weighs a pair whose family name and address agree
// against the household explanation rather than a random stranger: the
// log2 posterior odds that it is the same person, not another member of
// their household. rate is how many household members share an average
// customer's address (the prior odds; never below minHouseholdRate). The
// family name and the address say nothing
// between the two explanations (a household member's record keeps them,
// and is mistyped, as often as the person's own), so they count nothing;
// the given name and birth date count against the household chances
// above; identifiers and the employer as against a stranger.
func householdScore(s *scored, m *Model, rate float64) (float64, bool) {
	v := &s.vec
	if identifierAgrees(v) || v[fLast] != 0 && v[fLast] != 1 {
		return 0, false
	}
	sameAddress := v[fStreet] == 0 || v[fStreet] == 1 || v[fStreet] == missing && v[fPostcode] == 0
	if !sameAddress {
		return 0, false
	}
	total := -math.Log2(rate)
	for f := range numFields {
		l := v[f]
		if l < 0 {
			continue
		}
		switch f {
		case fFirst, fDOB:
			total += math.Log2(m.M[f][l] / householdU[f][l])
		case fLast, fPostcode, fCity, fStreet, fLine2, fRegion, fCountry:
		default:
			total += s.w[f]
		}
	}
	return total, true
}

// identifierAgrees reports an agreeing email, phone or social account.
func identifierAgrees(v *vector) bool {
	return v[fEmail] == 0 || v[fPhone] == 0 || v[fHandle] == 0
}

// evidence lists the fields both records had, with their levels and weights.
func evidence(s *scored) []record.FieldEvidence {
	out := make([]record.FieldEvidence, 0, numFields)
	for f := range numFields {
		l := s.vec[f]
		if l < 0 {
			continue
		}
		spec := fieldSpecs[f]
		out = append(out, record.FieldEvidence{
			Field:  spec.Name,
			Agrees: s.w[f] > 0,
			Level:  spec.Levels[l],
			Weight: round2(s.w[f]),
		})
	}
	if s.swapped {
		out = append(out, record.FieldEvidence{Field: "name_order", Agrees: true, Level: "swapped"})
	}
	return out
}

func round2(x float64) float64 {
	if x < 0 {
		return -float64(int64(-x*100+0.5)) / 100
	}
	return float64(int64(x*100+0.5)) / 100
}
