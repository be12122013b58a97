package analysis

import (
	"context"
	"fmt"
	"os"
	"time"

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
		m, err := sentiment.LoadFile(path)
		if err == nil && m.Version() == a.ModelVersion() {
			continue
		}
		if err == nil {
			err = a.SetModel(m, path)
		}
		if err != nil {
			a.logger.Error("reloading sentiment model; keeping the running one", "file", path, "err", err)
		}
	}
}
