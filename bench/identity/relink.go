package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/relink"
	"github.com/earshothq/earshot/record"
)

// runRelink measures re-linking: an embedded index of N mentions by many
// authors (some writing from an email, some from a Mastodon handle), then
// C customers imported whose emails or handles wrote some of them; the
// re-linking pass the index stage runs for those customers is timed.
func runRelink(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("relink", flag.ExitOnError)
	mentions := fs.Int("mentions", 1_000_000, "mentions in the index")
	customers := fs.Int("customers", 10_000, "customers imported (each wrote some mentions)")
	authors := fs.Int("authors", 300_000, "distinct authors of the mentions")
	dir := fs.String("dir", "", "index folder (default: a temporary one, removed after)")
	batch := fs.Int("batch", 1000, "customers per pass (one index stage batch)")
	gmail := fs.Float64("gmail", 0.3, "share of e-mail authors at gmail.com, whose mentions spell the address with dots, +tags or googlemail.com")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the re-linking (not the indexing) to this file")
	fs.Parse(args)
	if *customers > *authors {
		return fmt.Errorf("relink: more customers (%d) than authors (%d)", *customers, *authors)
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "relink-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	ctx := context.Background()
	cfg := bleve.DefaultConfig()
	cfg.Path = *dir
	b, err := bleve.Open(cfg, nil, nil)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.EnsureSchema(ctx); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 5))
	// An e-mail author at gmail.com writes the address as the provider
	// lets them (a dot, a +tag, googlemail.com); the customer record has
	// it plain.
	atGmail := func(a int) bool { return a%2 == 0 && float64((a/2)%100) < *gmail*100 }
	author := func(a int) record.Author {
		if a%2 == 0 {
			if atGmail(a) {
				return record.Author{Email: fmt.Sprintf("author%06d@gmail.com", a), Name: fmt.Sprintf("Author %d", a)}
			}
			return record.Author{Email: fmt.Sprintf("author%06d@example.com", a), Name: fmt.Sprintf("Author %d", a)}
		}
		return record.Author{Handle: fmt.Sprintf("author%06d@mastodon.social", a)}
	}
	spelled := func(a int) record.Author {
		au := author(a)
		if !atGmail(a) {
			return au
		}
		local, domain, _ := strings.Cut(au.Email, "@")
		switch rng.IntN(4) {
		case 0:
			local = local[:3] + "." + local[3:]
		case 1:
			local += "+shop"
		case 2:
			domain = "googlemail.com"
		}
		au.Email = local + "@" + domain
		return au
	}
	words := []string{"coffee", "espresso", "delivery", "price", "grinder", "kawa", "ekspres", "dostawa", "cena", "support"}
	t0 := time.Now()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 5000
	page := make([]*record.EnrichedMention, 0, chunk)
	for i := range *mentions {
		a := rng.IntN(*authors)
		src := "forms"
		if a%2 == 1 {
			src = "mastodon"
		}
		at := start.Add(time.Duration(rng.IntN(300*24)) * time.Hour)
		m := &record.EnrichedMention{Mention: record.Mention{
			ID: fmt.Sprintf("m%07d", i), Source: src, SourceID: fmt.Sprint(i), Kind: record.KindMention, Author: spelled(a),
			Text: words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))] + " " + fmt.Sprint(i), CreatedAt: at, FetchedAt: at,
		}, Identity: &record.Identity{Outcome: record.MatchNone}, EnrichedAt: at}
		page = append(page, m)
		if len(page) == chunk || i == *mentions-1 {
			for _, err := range b.UpsertMentions(ctx, page) {
				if err != nil {
					return err
				}
			}
			page = page[:0]
		}
	}
	if err := b.Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "indexed %d mentions by %d authors in %s\n", *mentions, *authors, time.Since(t0).Round(time.Millisecond))

	// Customers: every authors/customers-th author.
	step := *authors / *customers
	cs := make([]*record.Customer, 0, *customers)
	for i := range *customers {
		a := author(i * step)
		c := &record.Customer{ID: fmt.Sprintf("C%06d", i), FirstName: "Customer", LastName: fmt.Sprint(i), UpdatedAt: time.Now()}
		if a.Email != "" {
			c.Emails = []string{a.Email}
		} else {
			c.Handles = []record.Handle{{Platform: "mastodon", Handle: a.Handle}}
		}
		cs = append(cs, c)
	}
	pass, err := relink.New(b, identity.NewKeys(identity.DefaultConfig()))
	if err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	t1 := time.Now()
	cpu0 := cpuTime()
	var total relink.Result
	for s := 0; s < len(cs); s += *batch {
		res, err := pass.Run(ctx, cs[s:min(s+*batch, len(cs))], nil)
		if err != nil {
			return err
		}
		total.Read += res.Read
		total.Relinked += res.Relinked
	}
	if err := b.Refresh(ctx); err != nil {
		return err
	}
	wall, cpu := time.Since(t1), cpuTime()-cpu0
	fmt.Fprintf(out, "re-linked after importing %d customers: %d mentions read, %d re-linked in %s wall (%s CPU, %.0f customers/s wall)\n",
		len(cs), total.Read, total.Relinked, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(len(cs))/wall.Seconds())
	return nil
}
