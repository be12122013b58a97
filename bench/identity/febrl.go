package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/earshothq/earshot/enrich/identity/batch"
	"github.com/earshothq/earshot/enrich/identity/evaldata"
)

// runFebrl scores matching on the Febrl 1–3 sets fetched by
// fetch-febrl.sh: originals as the customer file, duplicates as the lead
// file, read with the default column mapping exactly as `earshot match`
// reads them.
func runFebrl(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("febrl", flag.ExitOnError)
	dir := fs.String("dir", "bench/identity/febrl", "folder holding febrl1.csv … febrl3.csv (see fetch-febrl.sh)")
	sets := fs.String("sets", "1,2,3", "which sets (Febrl 4 is held out: not accepted)")
	weights := fs.String("weights", "em", "em or fixed")
	keep := fs.String("keep", "", "folder to keep the split files and decisions in (default: a temporary one)")
	fs.Parse(args)
	for _, s := range strings.Split(*sets, ",") {
		s = strings.TrimSpace(s)
		if s != "1" && s != "2" && s != "3" {
			return fmt.Errorf("febrl set %q: only 1, 2 and 3 are development sets", s)
		}
		if err := febrlSet(filepath.Join(*dir, "febrl"+s+".csv"), *weights, *keep, out); err != nil {
			return fmt.Errorf("febrl %s: %w", s, err)
		}
	}
	return nil
}

func febrlSet(path, weights, keep string, out io.Writer) error {
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w (run bench/identity/fetch-febrl.sh first)", err)
	}
	defer src.Close()
	work := keep
	if work == "" {
		tmp, err := os.MkdirTemp("", "febrl-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	name := strings.TrimSuffix(filepath.Base(path), ".csv")
	custPath, leadPath := filepath.Join(work, name+"-customers.csv"), filepath.Join(work, name+"-leads.csv")
	cf, err := os.Create(custPath)
	if err != nil {
		return err
	}
	lf, err := os.Create(leadPath)
	if err != nil {
		cf.Close()
		return err
	}
	labels, err := evaldata.SplitFebrl(src, cf, lf)
	if err := joinClose(err, cf, lf); err != nil {
		return err
	}
	o := batch.DefaultOptions()
	o.Identity.Weights.Estimate = weights
	decPath := filepath.Join(work, name+"-decisions.jsonl")
	df, err := os.Create(decPath)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := batch.Run(context.Background(), o, custPath, leadPath, df)
	if err := joinClose(err, df); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%s: %d customers (%d bad rows), %d duplicates, weights %s, matched in %s\n", name, sum.Customers, sum.BadCustomerRows, sum.Inputs, weights, time.Since(start).Round(time.Millisecond))
	for _, b := range sum.BadRowsReported {
		fmt.Fprintln(out, "  bad row:", b)
	}
	if os.Getenv("IDENTITY_DEBUG") != "" && sum.Model != nil {
		fmt.Fprint(out, sum.Model.String())
	}
	decisions, err := readDecisions(decPath)
	if err != nil {
		return err
	}
	return evaldata.EvaluateFebrl(labels, decisions).Write(out)
}

func joinClose(err error, files ...*os.File) error {
	for _, f := range files {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func readDecisions(path string) (map[string]evaldata.Decision, error) {
	df, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer df.Close()
	rows, err := batch.ReadRows(df)
	if err != nil {
		return nil, err
	}
	decisions := make(map[string]evaldata.Decision, len(rows))
	for _, r := range rows {
		d := evaldata.Decision{LeadID: r.ID, Outcome: r.Decision, CustomerID: r.CustomerID}
		for _, c := range r.Candidates {
			d.Candidates = append(d.Candidates, c.CustomerID)
		}
		decisions[r.ID] = d
	}
	return decisions, nil
}
