package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/earshothq/earshot/internal/testlog"
)

const day = 24 * time.Hour

func retentionConfig(prefix string, raw, dlq time.Duration) Config {
	cfg := DefaultConfig()
	cfg.TopicPrefix = prefix
	cfg.Topics.Partitions = 1
	cfg.Embedded.Enabled = os.Getenv("EARSHOT_TEST_KAFKA") == ""
	cfg.TopicRetention = map[string]int64{RoleRaw: raw.Milliseconds(), RoleDLQ: dlq.Milliseconds(), RoleErasureAudit: -1}
	return cfg
}

// brokersForRetention is the real Kafka of EARSHOT_TEST_KAFKA or a fresh
// embedded broker.
func brokersForRetention(t *testing.T) []string {
	if addr := os.Getenv("EARSHOT_TEST_KAFKA"); addr != "" {
		return strings.Split(addr, ",")
	}
	e, err := StartEmbedded(EmbeddedConfig{Enabled: true, Port: 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return []string{e.Addr()}
}

func uniquePrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "test-ret-" + hex.EncodeToString(b) + "."
}

func TestTopicSpecsTakeTheRetentionOfEachKind(t *testing.T) {
	cfg := retentionConfig("earshot.", 7*day, 14*day)
	cfg.TopicRetention[RoleCustomers] = 1000 // a compacted table never gets a retention
	k := NewKafka(cfg, []string{"127.0.0.1:1"}, nil, nil)
	got := map[string]string{}
	for _, s := range k.TopicSpecs() {
		got[s.Role] = s.Configs["retention.ms"]
		if s.Role == RoleRaw && s.Configs["segment.ms"] != "86400000" {
			t.Errorf("raw: segment.ms %q, want a day", s.Configs["segment.ms"])
		}
		if s.Role == RoleErasureAudit && s.Configs["segment.ms"] != "" {
			t.Errorf("erasure audit (forever): segment.ms %q", s.Configs["segment.ms"])
		}
	}
	want := map[string]string{RoleRaw: "604800000", RoleDLQ: "1209600000", RoleErasureAudit: "-1", RoleCustomers: "", RoleEnriched: ""}
	for role, v := range want {
		if got[role] != v {
			t.Errorf("%s: retention.ms %q, want %q", role, got[role], v)
		}
	}
}

func TestRetentionMsOverrideIsRefusedForTheRetentionSection(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Topics.Overrides = map[string]TopicOverride{RoleDLQ: {RetentionMs: 2592000000}}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "kafka.topics.overrides.dlq.retention_ms") || !strings.Contains(err.Error(), "retention section") {
		t.Fatalf("error %v; want one naming the key and the retention section", err)
	}
}

// TestIntegrationTopicRetentionReconciled: topics are created with the
// configured retention, a later start with other periods changes the
// existing topics (and logs it), and a start with the same periods
// changes nothing. Embedded broker, or real Kafka with EARSHOT_TEST_KAFKA.
func TestIntegrationTopicRetentionReconciled(t *testing.T) {
	brokers := brokersForRetention(t)
	prefix := uniquePrefix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func(raw, dlq time.Duration, logs *testlog.Buffer) *Kafka {
		k := NewKafka(retentionConfig(prefix, raw, dlq), brokers, slog.New(slog.NewTextHandler(logs, nil)), nil)
		t.Cleanup(k.Close)
		if err := k.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		return k
	}
	var logs1 testlog.Buffer
	k := open(7*day, 14*day, &logs1)
	if err := k.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	// A real cluster applies a change through its controller: the broker
	// asked reports it a moment later.
	check := func(k *Kafka, role string, want time.Duration) {
		t.Helper()
		var v string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			var err error
			if v, err = k.TopicConfig(ctx, k.Topics().Name(role), "retention.ms"); err != nil {
				t.Fatal(err)
			}
			if v == strconv.FormatInt(want.Milliseconds(), 10) || time.Now().After(deadline) {
				break
			}
		}
		if v != strconv.FormatInt(want.Milliseconds(), 10) {
			t.Errorf("%s: retention.ms %s, want %d", role, v, want.Milliseconds())
		}
	}
	check(k, RoleRaw, 7*day)
	check(k, RoleDLQ, 14*day)
	if v, err := k.TopicConfig(ctx, k.Topics().Name(RoleErasureAudit), "retention.ms"); err != nil || v != "-1" {
		t.Errorf("erasure audit retention.ms %q, %v; want -1 (forever)", v, err)
	}
	if strings.Contains(logs1.String(), "topic setting changed") {
		t.Errorf("a fresh start changed settings:\n%s", logs1.String())
	}

	var logs2 testlog.Buffer
	k2 := open(3*day, 14*day, &logs2)
	if err := k2.EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	check(k2, RoleRaw, 3*day)
	check(k2, RoleDLQ, 14*day)
	out := logs2.String()
	if !strings.Contains(out, "topic="+prefix+"raw setting=retention.ms from=604800000 to=259200000") {
		t.Errorf("the change is not logged with topic, setting, old and new value:\n%s", out)
	}
	if strings.Contains(out, prefix+"dlq") {
		t.Errorf("an unchanged topic was reported:\n%s", out)
	}
	if changes := k2.ReconcileTopicConfigs(ctx); len(changes) != 0 {
		t.Errorf("a second reconciliation changed %+v", changes)
	}
}

// A broker that refuses the change (no ALTER_CONFIGS permission) gets a
// warning naming the topic and the setting; the start goes on.
func TestReconcileWarnsWhenTheBrokerRefuses(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.ControlKey(int16(kmsg.IncrementalAlterConfigs), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.IncrementalAlterConfigsRequest)
		resp := r.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
		for _, res := range r.Resources {
			rr := kmsg.NewIncrementalAlterConfigsResponseResource()
			rr.ResourceName, rr.ResourceType = res.ResourceName, res.ResourceType
			rr.ErrorCode = kerr.TopicAuthorizationFailed.Code
			resp.Resources = append(resp.Resources, rr)
		}
		return resp, nil, true
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := retentionConfig("earshot.", 7*day, 14*day)
	cfg.Embedded.Enabled = true
	if err := NewKafka(cfg, c.ListenAddrs(), nil, nil).EnsureTopics(ctx); err != nil {
		t.Fatal(err)
	}
	var logs testlog.Buffer
	cfg.TopicRetention[RoleRaw] = (2 * day).Milliseconds()
	k := NewKafka(cfg, c.ListenAddrs(), slog.New(slog.NewTextHandler(&logs, nil)), nil)
	defer k.Close()
	if err := k.EnsureTopics(ctx); err != nil {
		t.Fatalf("a refused setting failed the start: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "topic=earshot.raw setting=retention.ms value=172800000") ||
		!strings.Contains(out, "ALTER_CONFIGS") {
		t.Errorf("no warning naming the topic, the setting and the permission:\n%s", out)
	}
	if v, _ := k.TopicConfig(ctx, "earshot.raw", "retention.ms"); v != "604800000" {
		t.Errorf("retention.ms %s after a refused change", v)
	}
}
