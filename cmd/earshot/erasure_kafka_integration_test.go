package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/segmentio/kafka-go"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

// envKafkaData names the real broker's log directory (log.dirs), whose
// segment files the erasure test scans; make test-integration sets it.
const envKafkaData = "EARSHOT_TEST_KAFKA_DATA"

// erasureKafka is the real Kafka the erasure test runs on (nil: the hub's
// embedded broker): its own topics, created with aggressive compaction so
// an erased person's tombstoned records leave the segment files within
// the test. Topic-level settings only: the broker is shared.
type erasureKafka struct {
	addr    string
	cfg     pipeline.Config
	k       *pipeline.Kafka
	dataDir string
	// compactionWait bounds the wait for the cleaner: its backoff is
	// Kafka's default 15 s, plus a roll and a pass per topic.
	compactionWait time.Duration
	lastRoll       time.Time
	// marked is each compacted partition's end offset after the test's
	// last marker; changed, whether the last roll found it written since.
	marked  map[string]int64
	changed map[string]bool
}

// fastCompaction: a segment rolls on the first write a second after it
// opened, any dirty share makes a log cleanable, every record is due for
// compaction after a second, tombstones are dropped a second after their
// segment is cleaned and replaced files are deleted at once.
var fastCompaction = map[string]string{
	"segment.ms":                "1000",
	"min.cleanable.dirty.ratio": "0.01",
	"max.compaction.lag.ms":     "1000",
	"min.compaction.lag.ms":     "0",
	"delete.retention.ms":       "1000",
	"file.delete.delay.ms":      "0",
}

func newErasureKafka(t *testing.T) *erasureKafka {
	t.Helper()
	addr := os.Getenv(pipelinetest.EnvKafka)
	if addr == "" {
		return nil
	}
	e := &erasureKafka{addr: strings.Split(addr, ",")[0], cfg: pipelinetest.TestConfig(), dataDir: os.Getenv(envKafkaData),
		compactionWait: 3 * time.Minute}
	e.cfg.Embedded.Enabled = false
	e.cfg.Brokers = []string{e.addr}
	e.k = pipeline.NewKafka(e.cfg, e.cfg.Brokers, nil, nil)
	t.Cleanup(e.k.Close)
	// Without the broker's files the test would prove only what Kafka
	// serves, not what its disk keeps: that is no pass.
	if e.dataDir == "" {
		t.Fatalf("%s is set but %s is not: set it to the broker's log directory (log.dirs), e.g. %s=/work/testenv/kafka/data "+
			"for scripts/testenv/kafka.sh (make test-integration sets it), so the test can scan its segment files", pipelinetest.EnvKafka, envKafkaData, envKafkaData)
	}
	if _, err := os.Stat(filepath.Join(e.dataDir, "meta.properties")); err != nil {
		t.Fatalf("%s=%s is not a Kafka log directory (no meta.properties): %v", envKafkaData, e.dataDir, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(e.addr), Timeout: 30 * time.Second}
	req := &kafka.CreateTopicsRequest{}
	var names []string
	for _, s := range e.k.TopicSpecs() {
		tc := kafka.TopicConfig{Topic: s.Name, NumPartitions: s.Partitions, ReplicationFactor: 1}
		for k, v := range s.Configs {
			tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
		}
		if pipeline.Compacted(s.Role) {
			for k, v := range fastCompaction {
				tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
			}
		}
		req.Topics = append(req.Topics, tc)
		names = append(names, s.Name)
	}
	resp, err := client.CreateTopics(ctx, req)
	if err != nil {
		t.Fatalf("creating the test's topics: %v", err)
	}
	for name, err := range resp.Errors {
		if err != nil {
			t.Fatalf("creating %s: %v", name, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: names}); err != nil {
			t.Logf("deleting the test's topics: %v", err)
		}
	})
	return e
}

// compactFast sets fastCompaction on the test's compacted topics again:
// every hub and CLI start brings the erasure compaction bounds of existing
// topics back to the product's (a day), and the test cannot wait a day.
func (e *erasureKafka) compactFast(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(e.addr), Timeout: 30 * time.Second}
	req := &kafka.IncrementalAlterConfigsRequest{}
	for _, role := range pipeline.Roles {
		if !pipeline.Compacted(role) {
			continue
		}
		r := kafka.IncrementalAlterConfigsRequestResource{ResourceType: kafka.ResourceTypeTopic, ResourceName: e.topics().Name(role)}
		for k, v := range fastCompaction {
			r.Configs = append(r.Configs, kafka.IncrementalAlterConfigsRequestConfig{Name: k, Value: v, ConfigOperation: kafka.ConfigOperationSet})
		}
		req.Resources = append(req.Resources, r)
	}
	resp, err := client.IncrementalAlterConfigs(ctx, req)
	if err != nil {
		t.Fatalf("setting fast compaction on the test's topics: %v", err)
	}
	for _, r := range resp.Resources {
		if r.Error != nil {
			t.Fatalf("setting fast compaction on %s: %v", r.ResourceName, r.Error)
		}
	}
	// The controller acknowledges the change before the broker's metadata
	// holds it, so a describe right after can still read the old value.
	keys := e.topics().Keys()
	want := fastCompaction["max.compaction.lag.ms"]
	var v string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		v, err = e.k.TopicConfig(ctx, keys, "max.compaction.lag.ms")
		if (err == nil && v == want) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || v != want {
		t.Fatalf("%s has max.compaction.lag.ms %q (%v) 10 s after setting it to %s", keys, v, err, want)
	}
}

// config is the kafka section (its body) of the hub and the CLI.
func (e *erasureKafka) config() string {
	return fmt.Sprintf("  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\n  topics: {partitions: %d}\n  consumer: {group_prefix: %q}\n",
		e.addr, e.cfg.TopicPrefix, e.cfg.Topics.Partitions, e.cfg.Consumer.GroupPrefix)
}

// topics are the test's topic names (the default ones on the embedded broker).
func (e *erasureKafka) topics() pipeline.Topics {
	if e == nil {
		return pipeline.DefaultConfig().TopicNames()
	}
	return e.cfg.TopicNames()
}

// roll writes a compaction marker to the partitions of the compacted
// topics that were written since its last marker: Kafka rolls a segment
// only on a write (one segment.ms after the segment's first record) and
// never cleans the active one. A running deployment's own writes do this;
// the test has stopped writing. A partition gets one more marker after
// the last round that saw it written, so its last marker surely opened a
// new segment; settled partitions get none, so the broker's one cleaner
// thread is not kept busy with the test's own markers.
func (e *erasureKafka) roll(t *testing.T) {
	t.Helper()
	if time.Since(e.lastRoll) < 1500*time.Millisecond {
		return
	}
	e.lastRoll = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if e.marked == nil {
		e.marked, e.changed = map[string]int64{}, map[string]bool{}
	}
	var outs []pipeline.Output
	rolled := map[string][]int{} // topic → the partitions marked
	for _, role := range pipeline.Roles {
		if !pipeline.Compacted(role) {
			continue
		}
		topic := e.topics().Name(role)
		ends, err := e.k.EndOffsets(ctx, topic)
		if err != nil {
			t.Fatalf("reading the end offsets of %s: %v", topic, err)
		}
		markers, err := e.k.CompactionMarkers(ctx, topic)
		if err != nil {
			t.Fatalf("listing compaction markers: %v", err)
		}
		parts := make([]int, 0, len(ends))
		for p := range ends {
			parts = append(parts, p)
		}
		balancer := &kafka.Murmur2Balancer{Consistent: true} // the producers' partitioner
		for _, m := range markers {
			p := balancer.Balance(kafka.Message{Key: m.Key}, parts...)
			tp := fmt.Sprintf("%s/%d", topic, p)
			last, ok := e.marked[tp]
			changed := !ok || last != ends[p]
			if changed || e.changed[tp] {
				outs = append(outs, m)
				rolled[topic] = append(rolled[topic], p)
			}
			e.changed[tp] = changed
		}
	}
	if len(outs) == 0 {
		return
	}
	p := e.k.NewProducer("erasure-test", 0)
	defer p.Close()
	if err := p.ProduceSync(ctx, outs...); err != nil {
		t.Fatalf("rolling the compacted topics' segments: %v", err)
	}
	for topic, parts := range rolled {
		ends, err := e.k.EndOffsets(ctx, topic)
		if err != nil {
			t.Fatalf("reading the end offsets of %s: %v", topic, err)
		}
		for _, p := range parts {
			e.marked[fmt.Sprintf("%s/%d", topic, p)] = ends[p]
		}
	}
}

// scanLogDir looks for Zofia's traces in the raw bytes of every file of
// the test's topics in the broker's log directory.
func (e *erasureKafka) scanLogDir(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(e.dataDir, e.cfg.TopicPrefix+"*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no partition directories of %s* under %s (%v)", e.cfg.TopicPrefix, e.dataDir, err)
	}
	var leaks []string
	for _, d := range dirs {
		files, _ := os.ReadDir(d)
		for _, f := range files {
			p := filepath.Join(d, f.Name())
			b, err := readData(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted by the cleaner meanwhile
			}
			if err != nil {
				t.Fatalf("reading the broker's file %s: %v", p, err)
			}
			leaks = append(leaks, traces(p, b)...)
		}
	}
	return leaks
}

// readData reads a file's data regions: Kafka preallocates its offset and
// time indexes as 10 MB sparse files, and a hole reads as zeros, which
// hold no trace; reading ninety of them whole takes seconds per scan. On
// a file system without SEEK_DATA the whole file is read.
func readData(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []byte
	for off := int64(0); ; {
		data, err := f.Seek(off, seekData)
		if errors.Is(err, syscall.ENXIO) {
			return out, nil // no data after off
		}
		if err != nil {
			return os.ReadFile(path)
		}
		hole, err := f.Seek(data, seekHole)
		if err != nil {
			return os.ReadFile(path)
		}
		buf := make([]byte, hole-data)
		if _, err := f.ReadAt(buf, data); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		out = append(out, buf...)
		off = hole
	}
}

// lseek's whence values for data and holes (Linux, the BSDs, Solaris).
const seekData, seekHole = 3, 4

// testSMTP is a real SMTP server on loopback that keeps the mails it gets.
type testSMTP struct {
	mu     sync.Mutex
	bodies []string
}

type testSMTPSession struct{ box *testSMTP }

func (s *testSMTPSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *testSMTPSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *testSMTPSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.bodies = append(s.box.bodies, string(b))
	s.box.mu.Unlock()
	return nil
}
func (s *testSMTPSession) Reset()        {}
func (s *testSMTPSession) Logout() error { return nil }

func startTestSMTP(t *testing.T) (*testSMTP, int) {
	t.Helper()
	box := &testSMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &testSMTPSession{box: box}, nil }))
	srv.Domain = "127.0.0.1"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, l.Addr().(*net.TCPAddr).Port
}

var optInLink = regexp.MustCompile(`http://[^\s]+/f/newsletter/confirm\?t=[A-Za-z0-9_.=-]+`)

// link waits for the confirmation mail and returns its link.
func (m *testSMTP) link(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		bodies := append([]string(nil), m.bodies...)
		m.mu.Unlock()
		for _, b := range bodies {
			// Quoted-printable: join soft line breaks, decode "=3D".
			plain := strings.ReplaceAll(strings.ReplaceAll(b, "=\r\n", ""), "=3D", "=")
			if l := optInLink.FindString(plain); l != "" {
				return l
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no confirmation mail with a link")
	return ""
}

// signInCSRF signs in as admin and returns the client and its CSRF token.
func signInCSRF(t *testing.T, api, password string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	r, err := c.Post(api+"/api/session", "application/json", strings.NewReader(`{"user":"admin","password":`+strconv.Quote(password)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil || r.StatusCode != http.StatusCreated || s.CSRF == "" {
		t.Fatalf("signing in as admin: %d, no CSRF token (%v)", r.StatusCode, err)
	}
	return c, s.CSRF
}

// correct marks a mention's sentiment negative through the API.
func correct(t *testing.T, c *http.Client, api, csrf, mentionID string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, api+"/api/corrections",
		strings.NewReader(`{"mention_id":`+strconv.Quote(mentionID)+`,"field":"sentiment","value":"negative"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("correcting mention %s: %d %s", mentionID, r.StatusCode, b)
	}
}

// postForm submits a form as JSON and wants it accepted.
func postForm(t *testing.T, url, body string) {
	t.Helper()
	r, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("posting %s: %d %s", url, r.StatusCode, b)
	}
}
