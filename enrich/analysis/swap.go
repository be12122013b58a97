package analysis

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/enrich/sentiment"
)

// ModelVersion is the version of the sentiment model in use.
func (a *Analyzer) ModelVersion() string { return a.model.Load().version }

// SetModel swaps the sentiment model in while records are being analysed:
// a record in flight finishes with the model it started with, every later
// one uses m and records its version.
func (a *Analyzer) SetModel(m *sentiment.Model, source string) error {
	clf, err := sentiment.NewClassifier(m)
	if err != nil {
		return err
	}
	old := a.model.Swap(&loadedModel{clf: clf, version: m.Version(), source: source})
	a.swaps.Inc()
	a.logger.Info("sentiment model swapped", "from", old.version, "to", m.Version(), "source", source)
	return nil
}

// DefaultModelPoll is how often WatchModel looks at the model file.
const DefaultModelPoll = 10 * time.Second

// WatchModel reloads the sentiment model file at path whenever it changes
// (size or modification time; `earshot train sentiment` replaces it
// atomically) until ctx ends. A file that does not load is logged and the
// running model kept. It blocks; run it in its own goroutine.
func (a *Analyzer) WatchModel(ctx context.Context, path string, every time.Duration) {
	watchFile(ctx, path, every, func() {
		m, err := sentiment.LoadFile(path)
		if err == nil && m.Version() == a.ModelVersion() {
			return
		}
		if err == nil {
			err = a.SetModel(m, path)
		}
		if err != nil {
			a.logger.Error("reloading sentiment model; keeping the running one", "file", path, "err", err)
		}
	})
}

// watchFile calls reload whenever the file at path changes (size or
// modification time) until ctx ends. It blocks.
func watchFile(ctx context.Context, path string, every time.Duration, reload func()) {
	if every <= 0 {
		every = DefaultModelPoll
	}
	stamp := func() string {
		st, err := os.Stat(path)
		if err != nil {
			return ""
		}
		return fmt.Sprint(st.Size(), st.ModTime().UnixNano())
	}
	last := stamp()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := stamp()
		if now == last || now == "" {
			continue
		}
		last = now
		reload()
	}
}

// loadedIntentModel is the intent model in use: a learned layer, or none
// (m nil) when the rules alone decide.
type loadedIntentModel struct {
	m       *intent.Model
	version string // the model's version, or the rules' when m is nil
	source  string // file, or "rules"
}

// IntentModelVersion is the version of what finds intents: the learned
// intent model in use, or the rules.
func (a *Analyzer) IntentModelVersion() string { return a.intentModel.Load().version }

// RulesVersion is the version of the intent rules.
func (a *Analyzer) RulesVersion() string { return a.intents.Version() }

// SetIntentModel swaps the learned intent layer in while records are
// being analysed (nil: back to the rules alone). A model trained over
// other rules than the running ones is refused: its weights assume the
// scores those rules gave.
func (a *Analyzer) SetIntentModel(m *intent.Model, source string) error {
	next := &loadedIntentModel{version: a.intents.Version(), source: "rules"}
	if m != nil {
		if m.Rules() != a.intents.Version() {
			return fmt.Errorf("intent model %s was trained over rules %s, these are %s", m.Version(), m.Rules(), a.intents.Version())
		}
		next = &loadedIntentModel{m: m, version: m.Version(), source: source}
	}
	old := a.intentModel.Swap(next)
	a.swaps.Inc()
	a.logger.Info("intent model swapped", "from", old.version, "to", next.version, "source", source)
	return nil
}

// WatchIntentModel reloads the intent model file at path whenever it
// changes, like WatchModel does for the sentiment model.
func (a *Analyzer) WatchIntentModel(ctx context.Context, path string, every time.Duration) {
	watchFile(ctx, path, every, func() {
		m, err := intent.LoadModel(path)
		if err == nil && m.Version() == a.IntentModelVersion() {
			return
		}
		if err == nil {
			err = a.SetIntentModel(m, path)
		}
		if err != nil {
			a.logger.Error("reloading intent model; keeping the running one", "file", path, "err", err)
		}
	})
}
