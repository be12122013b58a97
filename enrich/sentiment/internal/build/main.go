// Command build trains the sentiment model Earshot ships
// (enrich/sentiment/model.bin.gz) on the UMSAB train split and reports
// macro-F1 on the val split, per language and overall:
//
//	go run ./enrich/sentiment/internal/build -umsab ../shared/data/sentiment -out enrich/sentiment/model.bin.gz
//
// Each example's language is what the analyzer would decide at run time:
// the language detector with the dataset's language as the source prior.
// Training is deterministic (fixed data order and seed).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/sentiment"
)

func main() {
	dir := flag.String("umsab", "../shared/data/sentiment", "UMSAB data folder")
	out := flag.String("out", "", "write the model here (empty: evaluate only)")
	opts := sentiment.DefaultTrainOptions()
	flag.IntVar(&opts.Bits, "bits", opts.Bits, "log2 of hashed feature buckets")
	flag.IntVar(&opts.Epochs, "epochs", opts.Epochs, "training epochs")
	flag.Float64Var(&opts.Rate, "rate", opts.Rate, "AdaGrad learning rate")
	flag.Float64Var(&opts.L2, "l2", opts.L2, "L2 penalty")
	flag.Int64Var(&opts.Seed, "seed", opts.Seed, "shuffle seed")
	flag.IntVar(&opts.Bags, "bags", opts.Bags, "models averaged (different seeds)")
	flag.Parse()
	if err := run(*dir, *out, opts); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

func run(dir, out string, opts sentiment.TrainOptions) error {
	det, err := lang.New(lang.DefaultOptions())
	if err != nil {
		return err
	}
	train, err := sentiment.ReadUMSAB(dir, "train")
	if err != nil {
		return err
	}
	val, err := sentiment.ReadUMSAB(dir, "val")
	if err != nil {
		return err
	}
	for _, set := range [][]sentiment.Example{train, val} {
		for i := range set {
			set[i].Group = set[i].Lang
			set[i].Lang = sentiment.LexiconLanguage(det.Detect(set[i].Text, set[i].Lang).Code, set[i].Lang, true)
		}
	}
	start := time.Now()
	m, err := sentiment.Train(train, opts)
	if err != nil {
		return err
	}
	fmt.Printf("trained on %d examples in %s (%+v)\n", len(train), time.Since(start).Round(time.Millisecond), opts)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return err
	}
	// Evaluate the model as shipped: saved, quantised and loaded back.
	m, err = sentiment.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return err
	}
	c, err := sentiment.NewClassifier(m)
	if err != nil {
		return err
	}
	rep, err := sentiment.Evaluate(c, val)
	if err != nil {
		return err
	}
	fmt.Println("val split:")
	rep.Write(os.Stdout)
	fmt.Printf("model size: %d bytes\n", buf.Len())
	if out != "" {
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing model: %w", err)
		}
	}
	return nil
}
