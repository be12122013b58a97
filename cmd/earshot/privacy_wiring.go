package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"sync"
	"time"

	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/internal/confx"
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

// checkPrivacySecret refuses a config that would make a process write
// personal data unencrypted: with any Kafka but the embedded broker with a
// data_dir (which generates the secret) privacy.secret is required. The
// error names the key, its file and line, and how to make a secret.
func (c *Config) checkPrivacySecret() error {
	if c.Kafka.Embedded.Enabled && c.Kafka.Embedded.DataDir != "" {
		return nil
	}
	return confx.Position(c.file, c.root, "", c.Privacy.RequireSecret())
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

// enableHubSealing seals personal records in every role of the hub. The
// hub refuses to start without a secret (checkPrivacySecret, before it
// connects), so it never writes a person's records in plain text.
func (h *hub) enableHubSealing(ctx context.Context) error {
	kr, err := enableSealing(ctx, h.cfg, h.kafka)
	if err != nil {
		return fmt.Errorf("enabling personal data encryption: %w", err)
	}
	if kr == nil {
		if err := h.cfg.checkPrivacySecret(); err != nil {
			return err
		}
		return errors.New("privacy.secret: no secret to seal personal data with")
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
		// Every key of the person, also one another process stored a
		// moment ago and this one has not read yet.
		if err := kr.CatchUp(); err != nil {
			return fmt.Errorf("loading the data keys before the erasure: %w", err)
		}
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
