package identity

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/confx"
	"github.com/nyaruka/phonenumbers"
)

// Config is the identity-resolution part of the enrich stage's configuration.
type Config struct {
	// UpperThreshold and LowerThreshold bound the possible-match band on the
	// Fellegi–Sunter total (a log2 likelihood ratio): at or above Upper a
	// record matches, at or above Lower it is a possible match kept for a
	// person to confirm, below Lower it matches nobody.
	UpperThreshold float64 `yaml:"upper_threshold"`
	LowerThreshold float64 `yaml:"lower_threshold"`
	// AmbiguityMargin: when the two best candidates both pass Upper and are
	// closer than this, the record is only a possible match (never merged
	// silently into the wrong one of two look-alikes).
	AmbiguityMargin float64 `yaml:"ambiguity_margin"`
	// HouseholdThreshold: a match whose family name and address agree
	// must also beat the household explanation (another member of the
	// family at that address) by this many log2 units of posterior odds.
	// Only applies when customers show households at all.
	HouseholdThreshold float64 `yaml:"household_threshold"`
	// MaxBlockSize drops blocking keys shared by more customers than this:
	// such keys (a very common name alone) select nothing useful and cost
	// time; the record's other keys (name with birth date or postcode)
	// still find its candidates.
	MaxBlockSize int `yaml:"max_block_size"`
	// MaxCandidates caps the customers scored per record.
	MaxCandidates int `yaml:"max_candidates"`
	// MaxReported caps the candidates listed in a decision.
	MaxReported int `yaml:"max_reported"`

	// DefaultPhoneRegion (ISO 3166-1 alpha-2) reads numbers written without
	// a country code when the record has no country of its own.
	DefaultPhoneRegion string `yaml:"default_phone_region"`
	// DateOrder reads ambiguous dates like 03/04/1990: "DMY" or "MDY".
	DateOrder string `yaml:"date_order"`
	// Email normalisation: providers whose mailboxes ignore dots in the
	// local part, providers that deliver local+tag to local, and domains
	// that are aliases of another.
	DotInsensitiveProviders []string          `yaml:"dot_insensitive_providers"`
	PlusTagProviders        []string          `yaml:"plus_tag_providers"`
	DomainAliases           map[string]string `yaml:"domain_aliases"`
	// FreeMailProviders are email domains that say nothing about a company.
	FreeMailProviders []string `yaml:"free_mail_providers"`

	// Weights are the Fellegi–Sunter m/u probabilities.
	Weights WeightsConfig `yaml:"weights"`

	Prospects ProspectsConfig `yaml:"prospects"`
}

// WeightsConfig chooses between hand-set m/u probabilities and estimating
// them from the data.
type WeightsConfig struct {
	// Estimate: "em" counts u on random customer pairs and estimates m by
	// expectation–maximisation over the candidate pairs the resolver scores
	// (starting from Fields over the built-in defaults); "fixed" uses
	// Fields over the defaults as they are.
	Estimate string `yaml:"estimate"`
	// Fields overrides the default m/u per field and level, e.g.
	// last_name: {exact: {m: 0.9, u: 0.001}}.
	Fields map[string]map[string]MU `yaml:"fields"`
	// EMIterations bounds the EM loop; EMTolerance stops it when no
	// probability moves more than this.
	EMIterations int     `yaml:"em_iterations"`
	EMTolerance  float64 `yaml:"em_tolerance"`
	// EMMinPairs is how many candidate pairs must be seen before the first
	// estimate; EMEvery re-estimates after that many more resolved records.
	EMMinPairs int `yaml:"em_min_pairs"`
	EMEvery    int `yaml:"em_every"`
	// USamplePairs is how many random customer pairs estimate u.
	USamplePairs int `yaml:"u_sample_pairs"`
	// FrequencyAdjust scales name agreement by how common the name is among
	// customers (a shared rare surname says more than a shared "Smith"),
	// once there are at least FrequencyMinCustomers customers.
	FrequencyAdjust       bool `yaml:"frequency_adjust"`
	FrequencyMinCustomers int  `yaml:"frequency_min_customers"`
}

// MU is the probability of a comparison level among true matches (M) and
// among non-matches (U).
type MU struct {
	M float64 `yaml:"m"`
	U float64 `yaml:"u"`
}

// ProspectsConfig says when an unmatched record becomes a prospect and how
// prospects are scored for sales.
type ProspectsConfig struct {
	// IntentThreshold: a "buying" intent at or above this score makes an
	// unmatched record a prospect. Form submissions always do.
	IntentThreshold float64 `yaml:"intent_threshold"`
	// MaxEvidence keeps the newest records of a prospect's provenance.
	MaxEvidence int `yaml:"max_evidence"`
	// MaxProspects bounds the in-memory prospect table; the least recently
	// seen are dropped from memory (they stay in the prospects topic).
	MaxProspects int `yaml:"max_prospects"`
	// Score weights the parts of the lead score (normalised to sum 1).
	Score ScoreWeights `yaml:"score"`
	// RecencyHalfLife halves the recency part for every such age of the
	// last buying signal.
	RecencyHalfLife time.Duration `yaml:"recency_half_life"`
	// ReachFollowers is the follower count that earns the full reach part
	// (log-scaled below it).
	ReachFollowers int `yaml:"reach_followers"`
	// IdealCustomer are the rules of the fit part.
	IdealCustomer []FitRule `yaml:"ideal_customer"`
}

// ScoreWeights weights the lead-score parts.
type ScoreWeights struct {
	Intent    float64 `yaml:"intent"`
	Reach     float64 `yaml:"reach"`
	Recency   float64 `yaml:"recency"`
	Frequency float64 `yaml:"frequency"`
	Fit       float64 `yaml:"fit"`
}

// FitRule is one ideal-customer rule: the prospect's Field must equal one of
// In (case-insensitive) or contain one of Contains; matching rules add their
// Weight to the fit part.
type FitRule struct {
	Field    string   `yaml:"field"` // country, language, company, domain, platform, product, need, brand
	In       []string `yaml:"in"`
	Contains []string `yaml:"contains"`
	Weight   float64  `yaml:"weight"`
}

// DefaultConfig returns the settings tuned on the generated evaluation set.
func DefaultConfig() Config {
	return Config{
		UpperThreshold:     18,
		LowerThreshold:     8,
		AmbiguityMargin:    3,
		HouseholdThreshold: 5,
		MaxBlockSize:       200,
		MaxCandidates:      50,
		MaxReported:        3,
		DefaultPhoneRegion: "PL",
		DateOrder:          "DMY",
		DotInsensitiveProviders: []string{
			"gmail.com",
		},
		PlusTagProviders: []string{
			"gmail.com", "outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com",
			"protonmail.com", "proton.me", "fastmail.com", "yandex.ru",
		},
		DomainAliases: map[string]string{"googlemail.com": "gmail.com"},
		FreeMailProviders: []string{
			"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com",
			"aol.com", "gmx.com", "gmx.de", "web.de", "protonmail.com", "proton.me", "fastmail.com",
			"wp.pl", "onet.pl", "o2.pl", "interia.pl", "op.pl", "inbox.lv", "one.lv", "mail.ru",
			"yandex.ru", "qq.com", "163.com", "126.com", "sina.com", "uol.com.br", "bol.com.br",
			"terra.com.br", "sapo.pt",
		},
		Weights: WeightsConfig{
			Estimate:              "em",
			EMIterations:          50,
			EMTolerance:           1e-4,
			EMMinPairs:            2000,
			EMEvery:               50000,
			USamplePairs:          50000,
			FrequencyAdjust:       true,
			FrequencyMinCustomers: 1000,
		},
		Prospects: ProspectsConfig{
			IntentThreshold: 0.6,
			MaxEvidence:     20,
			MaxProspects:    1_000_000,
			Score:           ScoreWeights{Intent: 0.35, Reach: 0.15, Recency: 0.15, Frequency: 0.15, Fit: 0.2},
			RecencyHalfLife: 14 * 24 * time.Hour,
			ReachFollowers:  10000,
		},
	}
}

var fitFields = map[string]bool{
	"country": true, "language": true, "company": true, "domain": true, "platform": true,
	"product": true, "need": true, "brand": true,
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, confx.Keyf("identity."+key, format, args...))
	}
	if c.LowerThreshold > c.UpperThreshold {
		bad("lower_threshold", "%g is above upper_threshold (%g)", c.LowerThreshold, c.UpperThreshold)
	}
	if c.AmbiguityMargin < 0 {
		bad("ambiguity_margin", "must not be negative, got %g", c.AmbiguityMargin)
	}
	if c.MaxBlockSize < 1 {
		bad("max_block_size", "must be at least 1, got %d", c.MaxBlockSize)
	}
	if c.MaxCandidates < 1 {
		bad("max_candidates", "must be at least 1, got %d", c.MaxCandidates)
	}
	if c.MaxReported < 0 {
		bad("max_reported", "must not be negative, got %d", c.MaxReported)
	}
	if c.DefaultPhoneRegion != "" && !phonenumbers.GetSupportedRegions()[strings.ToUpper(c.DefaultPhoneRegion)] {
		bad("default_phone_region", "%q is not an ISO 3166-1 alpha-2 region with a phone plan", c.DefaultPhoneRegion)
	}
	if c.DateOrder != "DMY" && c.DateOrder != "MDY" {
		bad("date_order", "must be DMY or MDY, got %q", c.DateOrder)
	}
	errs = append(errs, confx.Prefix("identity.weights", c.Weights.validate()), confx.Prefix("identity.prospects", c.Prospects.validate()))
	return errors.Join(errs...)
}

// validate reports the problems of the match weights, keys relative to them.
func (w WeightsConfig) validate() error {
	var errs []error
	bad := func(key, format string, args ...any) { errs = append(errs, confx.Keyf(key, format, args...)) }
	if w.Estimate != "em" && w.Estimate != "fixed" {
		bad("estimate", "must be em or fixed, got %q", w.Estimate)
	}
	if w.Estimate == "em" {
		if w.EMIterations < 1 {
			bad("em_iterations", "must be at least 1, got %d", w.EMIterations)
		}
		if w.EMTolerance <= 0 {
			bad("em_tolerance", "must be positive, got %g", w.EMTolerance)
		}
		if w.EMMinPairs < 1 || w.EMEvery < 1 || w.USamplePairs < 1 {
			bad("em_min_pairs", "em_min_pairs, em_every and u_sample_pairs must each be at least 1")
		}
	}
	for field, levels := range w.Fields {
		spec, ok := fieldSpecByName(field)
		if !ok {
			bad("fields."+field, "unknown field %q (known: %s)", field, strings.Join(fieldNames(), ", "))
			continue
		}
		for level, mu := range levels {
			if spec.levelIndex(level) < 0 {
				bad(fmt.Sprintf("fields.%s", field), "unknown level %q (known: %s)", level, strings.Join(spec.Levels, ", "))
			}
			if mu.M <= 0 || mu.M >= 1 || mu.U <= 0 || mu.U >= 1 {
				bad(fmt.Sprintf("fields.%s.%s", field, level), "m and u must be in (0,1), got m=%g u=%g", mu.M, mu.U)
			}
		}
	}
	return errors.Join(errs...)
}

// validate reports the problems of the prospect settings, keys relative to them.
func (p ProspectsConfig) validate() error {
	var errs []error
	bad := func(key, format string, args ...any) { errs = append(errs, confx.Keyf(key, format, args...)) }
	if p.IntentThreshold < 0 || p.IntentThreshold > 1 {
		bad("intent_threshold", "must be in [0,1], got %g", p.IntentThreshold)
	}
	if p.MaxEvidence < 1 {
		bad("max_evidence", "must be at least 1, got %d", p.MaxEvidence)
	}
	if p.MaxProspects < 1 {
		bad("max_prospects", "must be at least 1, got %d", p.MaxProspects)
	}
	s := p.Score
	if s.Intent < 0 || s.Reach < 0 || s.Recency < 0 || s.Frequency < 0 || s.Fit < 0 {
		bad("score", "weights must not be negative")
	} else if s.Intent+s.Reach+s.Recency+s.Frequency+s.Fit == 0 {
		bad("score", "weights are all zero")
	}
	if p.RecencyHalfLife <= 0 {
		bad("recency_half_life", "must be positive, got %s", p.RecencyHalfLife)
	}
	if p.ReachFollowers < 1 {
		bad("reach_followers", "must be at least 1, got %d", p.ReachFollowers)
	}
	for i, r := range p.IdealCustomer {
		if !fitFields[r.Field] {
			bad(fmt.Sprintf("ideal_customer[%d].field", i), "unknown field %q", r.Field)
		}
		if len(r.In) == 0 && len(r.Contains) == 0 {
			bad(fmt.Sprintf("ideal_customer[%d]", i), "needs in or contains")
		}
		if r.Weight <= 0 {
			bad(fmt.Sprintf("ideal_customer[%d].weight", i), "must be positive, got %g", r.Weight)
		}
	}
	return errors.Join(errs...)
}
