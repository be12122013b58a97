package main

import (
	"context"
	"fmt"
	"os/user"
	"sync"
	"time"

	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
)

// privacySecret is the configured secret, or in the embedded mode the one
// generated into the broker's data dir; "" when there is none.
func privacySecret(cfg *Config) (string, error) {
	if cfg.Privacy.Secret != "" {
		return cfg.Privacy.Secret, nil
	}
	if cfg.Kafka.Embedded.Enabled && cfg.Kafka.Embedded.DataDir != "" {
		return privacy.LoadOrCreateSecret(cfg.Kafka.Embedded.DataDir)
	}
	return "", nil
}

// enableSealing turns on per-person encryption for k when a secret is
// available, and returns the keyring (nil without one).
func enableSealing(ctx context.Context, cfg *Config, k *pipeline.Kafka) (*privacy.Keyring, error) {
	secret, err := privacySecret(cfg)
	if err != nil || secret == "" {
		return nil, err
	}
	kr, err := privacy.NewKeyring(secret)
	if err != nil {
		return nil, err
	}
	if _, err := k.EnableSealing(ctx, kr); err != nil {
		return nil, err
	}
	return kr, nil
}

// enableHubSealing seals personal records in every role of the hub. Without
// a secret (distributed mode with no privacy.secret) records stay in plain
// text and erasure cannot reach copies in delete-policy topics: logged.
func (h *hub) enableHubSealing(ctx context.Context) error {
	kr, err := enableSealing(ctx, h.cfg, h.kafka)
	if err != nil {
		return fmt.Errorf("enabling personal data encryption: %w", err)
	}
	if kr == nil {
		h.logger.Warn("privacy.secret is not set: personal data is written unencrypted and erasure cannot reach the raw, enriched and dead-letter topics")
		return nil
	}
	if h.embedded != nil {
		// After an erasure's key tombstones, compact at once so the
		// deleted keys (and the customer and prospect records tombstoned
		// with them) leave the broker's files within seconds.
		kr.OnShred(debounce(2*time.Second, func() {
			h.embedded.Compact()
			h.logger.Info("embedded broker compacted after an erasure")
		}))
	}
	return nil
}

// debounce returns a function that runs f once, d after the last of a
// burst of calls.
func debounce(d time.Duration, f func()) func(string) {
	var mu sync.Mutex
	var t *time.Timer
	return func(string) {
		mu.Lock()
		defer mu.Unlock()
		if t != nil {
			t.Stop()
		}
		t = time.AfterFunc(d, f)
	}
}

// sealPlan hashes the plan's identifiers and lists the person's data keys.
// Without a secret it refuses when the keys topic holds keys: the erasure
// could not delete them and the person's sealed records would stay readable.
func sealPlan(ctx context.Context, k *pipeline.Kafka, plan *crm.Plan) error {
	t := k.Topics()
	markers, err := k.CompactionMarkers(ctx, t.Customers(), t.Prospects(), t.Name(pipeline.RoleProspectWork), t.Keys())
	if err != nil {
		return err
	}
	plan.Markers = markers
	if kr := k.Keyring(); kr != nil {
		plan.Seal(kr)
		return nil
	}
	ends, err := k.EndOffsets(ctx, k.Topics().Keys())
	if err != nil {
		return fmt.Errorf("checking the keys topic: %w", err)
	}
	for _, end := range ends {
		if end > 0 {
			return fmt.Errorf("personal data is sealed with per-person keys (%s has records) but this config has no privacy.secret: set it to the hub's (the embedded mode keeps it in %s under the broker's data_dir)", k.Topics().Keys(), privacy.SecretFileName)
		}
	}
	return nil
}

// operatorName is who runs a CLI erasure, for the audit log.
func operatorName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
