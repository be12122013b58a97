package identity

import (
	"math"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// scoreProspect computes the lead score in [0,1] from its parts:
//   - intent: the strongest buying signal (a form submission counts fully);
//   - reach: followers, log-scaled up to ReachFollowers;
//   - recency: halves for every RecencyHalfLife between the last buying
//     signal and the last record;
//   - frequency: grows with the number of records of the person;
//   - fit: the share of ideal-customer rule weight the prospect meets
//     (left out of the total when no rules are configured).
func scoreProspect(p *record.Prospect, cfg ProspectsConfig) {
	var intent float64
	var lastSignal time.Time
	for _, e := range p.Evidence {
		s := 0.0
		if e.Kind == record.KindFormSubmission {
			s = 1
		}
		for _, in := range e.Intents {
			if in.Name == "buying" {
				s = math.Max(s, in.Score)
			}
		}
		if s > 0 && e.At.After(lastSignal) {
			lastSignal = e.At
		}
		intent = math.Max(intent, s)
	}
	parts := map[string]float64{"intent": intent}
	parts["reach"] = math.Min(1, math.Log1p(float64(p.Followers))/math.Log1p(float64(cfg.ReachFollowers)))
	if !lastSignal.IsZero() {
		age := p.LastSeen.Sub(lastSignal)
		parts["recency"] = math.Pow(0.5, max(age, 0).Hours()/cfg.RecencyHalfLife.Hours())
	} else {
		parts["recency"] = 0
	}
	parts["frequency"] = 1 - math.Exp(-float64(len(p.Evidence)-1)/3)
	w := cfg.Score
	total := w.Intent*parts["intent"] + w.Reach*parts["reach"] + w.Recency*parts["recency"] + w.Frequency*parts["frequency"]
	sum := w.Intent + w.Reach + w.Recency + w.Frequency
	if len(cfg.IdealCustomer) > 0 {
		parts["fit"] = fit(p, cfg.IdealCustomer)
		total += w.Fit * parts["fit"]
		sum += w.Fit
	}
	for k, v := range parts {
		parts[k] = round2(v)
	}
	p.ScoreParts = parts
	if sum > 0 {
		p.Score = round2(total / sum)
	}
}

// fit is the weight share of the ideal-customer rules the prospect meets.
func fit(p *record.Prospect, rules []FitRule) float64 {
	var met, all float64
	for _, r := range rules {
		all += r.Weight
		if ruleMet(p, r) {
			met += r.Weight
		}
	}
	if all == 0 {
		return 0
	}
	return met / all
}

func ruleMet(p *record.Prospect, r FitRule) bool {
	var values []string
	switch r.Field {
	case "country":
		values = []string{p.Country}
	case "language":
		values = p.Languages
	case "company":
		values = []string{p.Company}
	case "domain":
		for _, e := range p.Emails {
			if at := strings.LastIndexByte(e, '@'); at >= 0 {
				values = append(values, e[at+1:])
			}
		}
	case "platform":
		for _, h := range p.Handles {
			values = append(values, h.Platform)
		}
		for _, e := range p.Evidence {
			values = append(values, e.Source)
		}
	case "product", "need", "brand":
		if pr := p.Preferences; pr != nil {
			values = map[string][]string{"product": pr.Products, "need": pr.Needs, "brand": pr.Brands}[r.Field]
		}
	}
	for _, v := range values {
		if v == "" {
			continue
		}
		for _, want := range r.In {
			if strings.EqualFold(v, want) {
				return true
			}
		}
		lv := strings.ToLower(v)
		for _, sub := range r.Contains {
			if strings.Contains(lv, strings.ToLower(sub)) {
				return true
			}
		}
	}
	return false
}
