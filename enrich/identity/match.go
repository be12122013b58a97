package identity

import (
	"slices"

	"github.com/earshothq/earshot/pipeline"
)

// Decision is the identity outcome for one record.
type Decision struct {
	Outcome    string // pipeline.MatchExact, MatchPossible or MatchNone
	CustomerID string // the matched customer (outcome match only)
	Score      float64
	// Key is the exact identity key that found the customer, if one did.
	Key        string
	Evidence   []pipeline.FieldEvidence
	Candidates []pipeline.Candidate
	// Swapped says the record's given and family names were read the other
	// way round to match.
	Swapped bool
}

// Identity converts the decision to the record field.
func (d Decision) Identity() pipeline.Identity {
	return pipeline.Identity{
		Outcome:    d.Outcome,
		CustomerID: d.CustomerID,
		Score:      d.Score,
		Key:        d.Key,
		Evidence:   d.Evidence,
		Candidates: d.Candidates,
	}
}

// candidates gathers the customers worth scoring for q: every exact-key
// hit, then the customers sharing the most blocking keys with it.
func (x *index) candidates(q *view, maxBlock, maxCands int) (exact []uint32, key string, cands []uint32) {
	exact, key = x.exactMatches(q, nil)
	var kbuf [96]uint64
	keys := x.blockKeys(q, kbuf[:0], true)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var cbuf [256]uint32
	all := cbuf[:0]
	for _, h := range keys {
		all, _ = x.blocks.appendValues(all, h, maxBlock)
	}
	if len(all) == 0 {
		return exact, key, exact
	}
	slices.Sort(all)
	// Count how many keys each customer shares with q.
	type hit struct {
		idx  uint32
		keys int
	}
	hits := make([]hit, 0, len(all))
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j] == all[i] {
			j++
		}
		hits = append(hits, hit{all[i], j - i})
		i = j
	}
	if len(hits) > maxCands {
		slices.SortStableFunc(hits, func(a, b hit) int { return b.keys - a.keys })
		hits = hits[:maxCands]
	}
	cands = append(cands, exact...)
	for _, h := range hits {
		if !slices.Contains(exact, h.idx) {
			cands = append(cands, h.idx)
		}
	}
	return exact, key, cands
}

// decide scores q against its candidates and applies the thresholds. It
// returns the comparison vectors of every scored pair (for EM).
func (r *Resolver) decide(q *view, m *Model, wantVectors bool) (Decision, []vector) {
	exact, key, cands := r.idx.candidates(q, r.cfg.MaxBlockSize, r.cfg.MaxCandidates)
	if len(cands) == 0 {
		return Decision{Outcome: pipeline.MatchNone}, nil
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
			d.Outcome = pipeline.MatchPossible // two look-alikes: a person decides
		} else {
			d.Outcome = pipeline.MatchExact
		}
	case best.total >= r.cfg.LowerThreshold:
		d.Outcome = pipeline.MatchPossible
	default:
		d.Outcome = pipeline.MatchNone
	}
	if d.Outcome == pipeline.MatchExact && namesDisagree(&best.vec) && !identifierAgrees(&best.vec) {
		// Same family, same address, another given name is a household
		// member; another family name may be a marriage or a stranger.
		// Without an exact identifier, a person decides.
		d.Outcome = pipeline.MatchPossible
	}
	if d.Outcome == pipeline.MatchExact {
		d.CustomerID = r.idx.entries[best.idx].field(pID)
		d.Evidence = evidence(&best)
		if best.exact {
			d.Key = key
		}
	}
	if d.Outcome != pipeline.MatchNone {
		for _, c := range results {
			if len(d.Candidates) == r.cfg.MaxReported || c.total < r.cfg.LowerThreshold {
				break
			}
			d.Candidates = append(d.Candidates, pipeline.Candidate{
				CustomerID: r.idx.entries[c.idx].field(pID),
				Score:      round2(c.total),
				Evidence:   evidence(&c),
			})
		}
	}
	return d, vecs
}

// namesDisagree reports a given or family name that is not even similar.
func namesDisagree(v *vector) bool {
	return v[fFirst] == 5 || v[fLast] == 3
}

// identifierAgrees reports an agreeing email, phone or social account.
func identifierAgrees(v *vector) bool {
	return v[fEmail] == 0 || v[fPhone] == 0 || v[fHandle] == 0
}

// evidence lists the fields both records had, with their levels and weights.
func evidence(s *scored) []pipeline.FieldEvidence {
	out := make([]pipeline.FieldEvidence, 0, numFields)
	for f := range numFields {
		l := s.vec[f]
		if l < 0 {
			continue
		}
		spec := fieldSpecs[f]
		out = append(out, pipeline.FieldEvidence{
			Field:  spec.Name,
			Agrees: int(l) < len(spec.Levels)-1,
			Level:  spec.Levels[l],
			Weight: round2(s.w[f]),
		})
	}
	if s.swapped {
		out = append(out, pipeline.FieldEvidence{Field: "name_order", Agrees: true, Level: "swapped"})
	}
	return out
}

func round2(x float64) float64 {
	if x < 0 {
		return -float64(int64(-x*100+0.5)) / 100
	}
	return float64(int64(x*100+0.5)) / 100
}
