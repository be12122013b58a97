package enrich_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich"
	"github.com/earshothq/earshot/enrich/relevance"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
	"github.com/earshothq/earshot/record"
)

type fixedAnalyzer struct{}

func (fixedAnalyzer) Analyze(m *record.Mention) record.Analysis {
	return record.Analysis{Language: &record.Language{Code: m.Lang, Confidence: 1, Method: "source"}}
}

// A raw topic with good records, a malformed one and one from a newer
// schema: the good ones are enriched, the bad ones are dead-lettered with
// their bytes, and the stage goes on.
func TestIntegrationEnrichDeadLettersUndecodableRecords(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	var outs []pipeline.Output
	for _, txt := range []string{"Ekspres Brewly jest świetny", "咖啡机很好"} {
		m := &record.Mention{Source: "file", SourceID: txt, Text: txt, Lang: map[bool]string{true: "pl", false: "zh"}[txt[0] == 'E']}
		_ = m.Normalize()
		v, _ := record.Encode(m)
		outs = append(outs, pipeline.Output{Topic: topics.Raw(), Key: []byte(m.AuthorKey()), Value: v})
	}
	outs = append(outs,
		pipeline.Output{Topic: topics.Raw(), Key: []byte("k"), Value: []byte(`{"schema":1,"text":`)},
		pipeline.Output{Topic: topics.Raw(), Key: []byte("k"), Value: []byte(`{"schema":99,"source":"x","source_id":"1","text":"from the future"}`)},
	)
	c.Produce(t, outs...)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- enrich.Run(ctx, c.Kafka, &enrich.Stage{Analyzer: fixedAnalyzer{}}) }()
	enriched := c.ReadN(t, topics.Enriched(), 2, 30*time.Second)
	dead := c.ReadN(t, topics.DLQ(), 2, 30*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(enriched) != 2 {
		t.Fatalf("want 2 enriched records, got %d", len(enriched))
	}
	langs := map[string]bool{}
	for _, m := range enriched {
		var em record.EnrichedMention
		if err := record.Decode(m.Value, &em); err != nil {
			t.Fatal(err)
		}
		if em.Analysis.Language == nil || em.EnrichedAt.IsZero() || em.ID == "" {
			t.Fatalf("record not enriched: %+v", em)
		}
		langs[em.Analysis.Language.Code] = true
	}
	if !langs["pl"] || !langs["zh"] {
		t.Fatalf("analysis lost per-record data: %v", langs)
	}
	if len(dead) != 2 {
		t.Fatalf("want 2 dead letters, got %d", len(dead))
	}
	reasons := map[string]bool{}
	for _, m := range dead {
		var dl record.DeadLetter
		if err := record.Decode(m.Value, &dl); err != nil {
			t.Fatal(err)
		}
		if dl.Stage != "enrich" || dl.Attempts != 1 || len(dl.Value) == 0 || dl.Topic != topics.Raw() {
			t.Fatalf("dead letter incomplete: %+v", dl)
		}
		reasons[dl.Error[:len("decoding record")]] = true
	}
	if !reasons["decoding record"] {
		t.Fatalf("dead letters do not say why: %v", reasons)
	}
}

// The relevance filter reads the corrections and mutes topics before the
// stage starts: a mention by a muted author goes to the filtered topic with
// its reason, the others to the enriched topic.
func TestIntegrationEnrichFiltersIrrelevant(t *testing.T) {
	c := pipelinetest.New(t)
	topics := c.Kafka.Topics()
	muted := record.Author{Handle: "@bot@spam.example"}
	mute := &record.Mute{Kind: record.MuteAuthor, Value: "bot@spam.example", By: "ana", Reason: "bot"}
	mute.ID = record.MuteID(mute.Kind, mute.Value)
	mv, _ := record.Encode(mute)
	c.Produce(t, pipeline.Output{Topic: topics.Mutes(), Key: []byte(mute.ID), Value: mv})
	var outs []pipeline.Output
	for i, a := range []record.Author{muted, {Handle: "@ola@x.social"}} {
		m := &record.Mention{Source: "mastodon", SourceID: fmt.Sprint(i), Text: "Brewly One", Author: a}
		_ = m.Normalize()
		v, _ := record.Encode(m)
		outs = append(outs, pipeline.Output{Topic: topics.Raw(), Key: []byte(m.AuthorKey()), Value: v})
	}
	c.Produce(t, outs...)
	rel, err := relevance.New(relevance.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- enrich.Run(ctx, c.Kafka, &enrich.Stage{Analyzer: fixedAnalyzer{}, Relevance: rel}) }()
	filtered := c.ReadN(t, topics.Filtered(), 1, 30*time.Second)
	enriched := c.ReadN(t, topics.Enriched(), 1, 30*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var em record.EnrichedMention
	if err := record.Decode(filtered[0].Value, &em); err != nil {
		t.Fatal(err)
	}
	if r := em.Analysis.Relevance; r == nil || !r.Irrelevant || len(r.Reasons) == 0 || !strings.Contains(r.Reasons[0], "muted by ana") {
		t.Fatalf("filtered record: %+v", em.Analysis.Relevance)
	}
	if em.Author.Handle != muted.Handle {
		t.Errorf("filtered the wrong mention: %+v", em.Author)
	}
	var kept record.EnrichedMention
	record.Decode(enriched[0].Value, &kept)
	if kept.Author.Handle == muted.Handle || kept.Analysis.Relevance != nil {
		t.Errorf("enriched record: %+v %+v", kept.Author, kept.Analysis.Relevance)
	}
}
