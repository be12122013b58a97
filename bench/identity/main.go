// Command identity measures identity resolution.
//
//	go run ./bench/identity eval  [-customers 20000] [-leads 5000] [-seed 1] [-dir DIR] [-weights em|fixed]
//	    generates a labelled customer and lead file, matches them exactly as
//	    `earshot match` does and prints precision, recall and F1 per error type.
//	go run ./bench/identity gen   -dir DIR [-customers N] [-leads N] [-seed 1]
//	    only writes customers.csv, leads.csv and labels.csv (to run the real
//	    CLI: earshot match --customers DIR/customers.csv --input DIR/leads.csv --out d.jsonl).
//	go run ./bench/identity score -labels DIR/labels.csv -decisions d.jsonl
//	    scores the output of `earshot match` against the labels.
//	go run ./bench/identity index [-customers 1000000] [-queries 200000]
//	    builds the index from generated customer records (as read from the
//	    customers topic) and reports build time, index memory, and exact and
//	    fuzzy lookups per second on one core.
//	go run ./bench/identity febrl [-sets 1,2,3] [-weights em|fixed]
//	    scores matching on the public Febrl 1–3 sets (originals as customers,
//	    duplicates as leads; fetch them with bench/identity/fetch-febrl.sh),
//	    overall and per kind of change.
//	go run ./bench/identity relink [-mentions 1000000] [-customers 10000]
//	    indexes N mentions in the embedded index, then times re-linking the
//	    mentions of C newly imported customers (by email and handle).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/earshothq/earshot/enrich/identity/batch"
	"github.com/earshothq/earshot/enrich/identity/evaldata"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: identity eval|gen|score|index|febrl|relink [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "eval":
		err = runEval(os.Args[2:], os.Stdout)
	case "gen":
		err = runGen(os.Args[2:])
	case "score":
		err = runScore(os.Args[2:], os.Stdout)
	case "index":
		err = runIndex(os.Args[2:], os.Stdout)
	case "febrl":
		err = runFebrl(os.Args[2:], os.Stdout)
	case "relink":
		err = runRelink(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown mode %q (eval, gen, score, index, febrl, relink)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "identity:", err)
		os.Exit(1)
	}
}

func runGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	dir := fs.String("dir", "", "output folder (required)")
	customers := fs.Int("customers", 20000, "customers")
	leads := fs.Int("leads", 5000, "lead rows")
	seed := fs.Uint64("seed", 1, "random seed")
	households := fs.Float64("households", 0.08, "share of customers who are a household member of another")
	fs.Parse(args)
	if *dir == "" {
		return fmt.Errorf("gen needs -dir")
	}
	ds := evaldata.Generate(evaldata.Options{Seed: *seed, Customers: *customers, Leads: *leads, Namesakes: 0.03, Households: *households})
	return ds.WriteFiles(*dir)
}

func runEval(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ExitOnError)
	dir := fs.String("dir", "", "folder for the generated files (default: a temporary one)")
	customers := fs.Int("customers", 20000, "customers")
	leads := fs.Int("leads", 5000, "lead rows")
	seed := fs.Uint64("seed", 1, "random seed")
	weights := fs.String("weights", "em", "em (estimate m/u from the lead file) or fixed (built-in m/u)")
	households := fs.Float64("households", 0.08, "share of customers who are a household member of another")
	upper := fs.Float64("upper", 0, "upper threshold (0: the default)")
	lower := fs.Float64("lower", 0, "lower threshold (0: the default)")
	fs.Parse(args)
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "identity-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	ds := evaldata.Generate(evaldata.Options{Seed: *seed, Customers: *customers, Leads: *leads, Namesakes: 0.03, Households: *households})
	if err := ds.WriteFiles(*dir); err != nil {
		return err
	}
	o := batch.DefaultOptions()
	o.Identity.Weights.Estimate = *weights
	if *upper != 0 {
		o.Identity.UpperThreshold = *upper
	}
	if *lower != 0 {
		o.Identity.LowerThreshold = *lower
	}
	decisionsPath := filepath.Join(*dir, "decisions.jsonl")
	f, err := os.Create(decisionsPath)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := batch.Run(context.Background(), o, filepath.Join(*dir, "customers.csv"), filepath.Join(*dir, "leads.csv"), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "customers %d, leads %d, seed %d, weights %s, households %.3f, matched in %s\n", sum.Customers, sum.Inputs, *seed, *weights, sum.HouseholdRate, time.Since(start).Round(time.Millisecond))
	if sum.EM != nil {
		fmt.Fprintf(out, "EM: %d pairs, %d patterns, %d iterations, converged %v, reverted %v\n", sum.EM.Pairs, sum.EM.Patterns, sum.EM.Iterations, sum.EM.Converged, sum.EM.Reverted)
		if os.Getenv("IDENTITY_DEBUG") != "" && sum.Model != nil {
			fmt.Fprint(out, sum.Model.String())
		}
	}
	return score(filepath.Join(*dir, "labels.csv"), decisionsPath, out)
}

func runScore(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ExitOnError)
	labels := fs.String("labels", "", "labels.csv from gen")
	decisions := fs.String("decisions", "", "JSONL output of earshot match")
	fs.Parse(args)
	if *labels == "" || *decisions == "" {
		return fmt.Errorf("score needs -labels and -decisions")
	}
	return score(*labels, *decisions, out)
}

func score(labelsPath, decisionsPath string, out io.Writer) error {
	lf, err := os.Open(labelsPath)
	if err != nil {
		return err
	}
	defer lf.Close()
	labels, err := evaldata.ReadLabels(lf)
	if err != nil {
		return err
	}
	df, err := os.Open(decisionsPath)
	if err != nil {
		return err
	}
	defer df.Close()
	rows, err := batch.ReadRows(df)
	if err != nil {
		return err
	}
	decisions := make(map[string]evaldata.Decision, len(rows))
	for _, r := range rows {
		d := evaldata.Decision{LeadID: r.ID, Outcome: r.Decision, CustomerID: r.CustomerID}
		for _, c := range r.Candidates {
			d.Candidates = append(d.Candidates, c.CustomerID)
		}
		decisions[r.ID] = d
	}
	return evaldata.Evaluate(labels, decisions).Write(out)
}

// startCPUProfile profiles the CPU into path until stop is called; an
// empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
