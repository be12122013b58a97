// Package batch matches a lead list against a customer file offline: every
// input row gets a decision (match, possible, none) with the customer id,
// the score and the evidence. It is what `earshot match` runs, for
// trade-show lists, CRM clean-up and the quality evaluation.
package batch

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/customerfile"
)

// Options configure a batch run.
type Options struct {
	Identity  identity.Config
	Customers customerfile.Config // how to read the customer file
	Input     customerfile.Config // how to read the lead file
	// Format of the output: "jsonl" or "csv".
	Format string
	Logger *slog.Logger
	// Progress, when set, is told how far each file has been read.
	Progress func(stage string, done, total int64)
}

// DefaultOptions reads customers requiring ids and leads without, and
// writes JSONL.
func DefaultOptions() Options {
	in := customerfile.DefaultConfig()
	in.RequireID = false
	in.Lenient = true
	return Options{Identity: identity.DefaultConfig(), Customers: customerfile.DefaultConfig(), Input: in, Format: "jsonl"}
}

// Row is one output line: the decision for one input row.
type Row struct {
	Line       int             `json:"line"`
	ID         string          `json:"id"`
	Decision   string          `json:"decision"` // match, possible, none, or invalid
	CustomerID string          `json:"customer_id,omitempty"`
	Score      float64         `json:"score"`
	Key        string          `json:"key,omitempty"`
	Swapped    bool            `json:"names_swapped,omitempty"`
	Evidence   []EvidenceItem  `json:"evidence,omitempty"`
	Candidates []CandidateItem `json:"candidates,omitempty"`
	Errors     []string        `json:"errors,omitempty"`
	Warnings   []string        `json:"warnings,omitempty"`
}

// EvidenceItem is one field comparison.
type EvidenceItem struct {
	Field  string  `json:"field"`
	Level  string  `json:"level"`
	Weight float64 `json:"weight"`
}

// CandidateItem is a customer listed for review, with the comparison.
type CandidateItem struct {
	CustomerID string         `json:"customer_id"`
	Score      float64        `json:"score"`
	Evidence   []EvidenceItem `json:"evidence,omitempty"`
}

// Summary counts what a run did.
type Summary struct {
	Customers       int
	BadCustomerRows int
	Inputs          int
	BadInputRows    int
	Decisions       map[string]int
	EM              *identity.EMResult
	Model           *identity.Model // the weights the decisions used
	// CustomerColumns and InputColumns say which field each column of the
	// files filled ("" for none; "attr.X" a custom attribute); nil for
	// JSONL, whose keys are mapped record by record.
	CustomerColumns, InputColumns []Column
	// PhoneRegion reads phone numbers written without a country code in
	// rows without a country.
	PhoneRegion string
	// HouseholdRate is how many family members share an average
	// customer's address (see identity.Resolver.HouseholdRate).
	HouseholdRate   float64
	BadRowsReported []string // "file:line: reasons", at most 100
}

// Column is one column of an input file and the field it fills.
type Column struct {
	Header, Field string
}

// Run matches the rows of inputPath against the customers of
// customersPath and writes one Row per input row to out.
func Run(ctx context.Context, o Options, customersPath, inputPath string, out io.Writer) (Summary, error) {
	sum := Summary{Decisions: map[string]int{}, PhoneRegion: strings.ToUpper(o.Identity.DefaultPhoneRegion)}
	if o.Format != "jsonl" && o.Format != "csv" {
		return sum, fmt.Errorf("output format must be jsonl or csv, got %q", o.Format)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r, err := identity.New(o.Identity, logger)
	if err != nil {
		return sum, err
	}
	norm := r.Normalizer()
	bad := func(path string, row customerfile.Row) {
		if len(sum.BadRowsReported) < 100 {
			sum.BadRowsReported = append(sum.BadRowsReported, fmt.Sprintf("%s:%d: %s", path, row.Line, strings.Join(row.Errors, "; ")))
		}
	}
	err = readFile(ctx, customersPath, o.Customers, norm, o.Progress, "customers", &sum.CustomerColumns, func(row customerfile.Row) {
		if !row.OK() {
			sum.BadCustomerRows++
			bad(customersPath, row)
			return
		}
		r.ApplyCustomer(row.Customer.ID, &row.Customer)
		sum.Customers++
	})
	if err != nil {
		return sum, err
	}
	type input struct {
		row    customerfile.Row
		person identity.Person
	}
	var inputs []input
	err = readFile(ctx, inputPath, o.Input, norm, o.Progress, "input", &sum.InputColumns, func(row customerfile.Row) {
		in := input{row: row}
		if row.OK() {
			in.person, _ = norm.Customer(&row.Customer)
		} else {
			sum.BadInputRows++
			bad(inputPath, row)
		}
		inputs = append(inputs, in)
	})
	if err != nil {
		return sum, err
	}
	if o.Identity.Weights.Estimate == "em" {
		people := make([]identity.Person, 0, len(inputs))
		for _, in := range inputs {
			if in.row.OK() {
				people = append(people, in.person)
			}
		}
		res, err := r.EstimateWeights(people)
		if err != nil {
			logger.Warn("keeping the configured weights", "error", err)
		} else {
			sum.EM = &res
		}
	}
	sum.Model = r.Model()
	sum.HouseholdRate = r.HouseholdRate()
	w := newWriter(out, o.Format)
	for i, in := range inputs {
		if i%1024 == 0 && ctx.Err() != nil {
			return sum, ctx.Err()
		}
		row := Row{Line: in.row.Line, ID: in.row.Customer.ID, Warnings: in.row.Warnings}
		if !in.row.OK() {
			row.Decision = "invalid"
			row.Errors = in.row.Errors
		} else {
			d := r.MatchPerson(&in.person)
			row.Decision, row.CustomerID, row.Score, row.Key, row.Swapped = d.Outcome, d.CustomerID, d.Score, d.Key, d.Swapped
			for _, e := range d.Evidence {
				row.Evidence = append(row.Evidence, EvidenceItem{Field: e.Field, Level: e.Level, Weight: e.Weight})
			}
			for _, c := range d.Candidates {
				ci := CandidateItem{CustomerID: c.CustomerID, Score: c.Score}
				for _, e := range c.Evidence {
					ci.Evidence = append(ci.Evidence, EvidenceItem{Field: e.Field, Level: e.Level, Weight: e.Weight})
				}
				row.Candidates = append(row.Candidates, ci)
			}
		}
		sum.Inputs++
		sum.Decisions[row.Decision]++
		if err := w.write(row); err != nil {
			return sum, fmt.Errorf("writing decisions: %w", err)
		}
	}
	if err := w.flush(); err != nil {
		return sum, fmt.Errorf("writing decisions: %w", err)
	}
	return sum, nil
}

func readFile(ctx context.Context, path string, cfg customerfile.Config, norm *identity.Normalizer, progress func(string, int64, int64), stage string, columns *[]Column, fn func(customerfile.Row)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	var total int64
	if st, err := f.Stat(); err == nil {
		total = st.Size()
	}
	rd, err := customerfile.NewReader(f, path, cfg, norm)
	if err != nil {
		return err
	}
	headers, targets := rd.Columns()
	for i, h := range headers {
		*columns = append(*columns, Column{Header: h, Field: targets[i]})
	}
	for n := 0; ; n++ {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		fn(row)
		if n%4096 == 0 {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if progress != nil {
				progress(stage, rd.BytesRead(), total)
			}
		}
	}
	if progress != nil {
		progress(stage, total, total)
	}
	return nil
}

// writer writes rows as JSONL or CSV.
type writer struct {
	json   *json.Encoder
	csv    *csv.Writer
	header bool
}

func newWriter(out io.Writer, format string) *writer {
	if format == "csv" {
		return &writer{csv: csv.NewWriter(out)}
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return &writer{json: enc}
}

func (w *writer) write(r Row) error {
	if w.json != nil {
		return w.json.Encode(r)
	}
	if !w.header {
		w.header = true
		if err := w.csv.Write([]string{"line", "id", "decision", "customer_id", "score", "key", "evidence", "candidates", "errors"}); err != nil {
			return err
		}
	}
	var ev, cands []string
	for _, e := range r.Evidence {
		ev = append(ev, fmt.Sprintf("%s=%s:%+.2f", e.Field, e.Level, e.Weight))
	}
	for _, c := range r.Candidates {
		cands = append(cands, fmt.Sprintf("%s:%.2f", c.CustomerID, c.Score))
	}
	return w.csv.Write([]string{strconv.Itoa(r.Line), r.ID, r.Decision, r.CustomerID, strconv.FormatFloat(r.Score, 'f', 2, 64),
		r.Key, strings.Join(ev, " "), strings.Join(cands, ";"), strings.Join(r.Errors, "; ")})
}

func (w *writer) flush() error {
	if w.csv != nil {
		w.csv.Flush()
		return w.csv.Error()
	}
	return nil
}

// ReadRows reads JSONL output of Run.
func ReadRows(rd io.Reader) ([]Row, error) {
	dec := json.NewDecoder(rd)
	var rows []Row
	for {
		var r Row
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return rows, nil
		} else if err != nil {
			return rows, fmt.Errorf("reading decisions after row %d: %w", len(rows), err)
		}
		rows = append(rows, r)
	}
}
