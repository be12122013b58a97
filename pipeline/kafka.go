package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// ErrUnreachable wraps every failure to reach the brokers, so commands can
// tell "Kafka is down" from "Kafka said no".
var ErrUnreachable = errors.New("kafka unreachable")

// Kafka is a handle on the cluster (embedded or external): topics, producers,
// consumers and admin calls share its settings, transport and metrics.
type Kafka struct {
	cfg       Config
	brokers   []string
	topics    Topics
	logger    *slog.Logger // component=kafka
	base      *slog.Logger // for stages, which name their own component
	metrics   *Metrics
	transport *kafka.Transport
	client    *kafka.Client
	security  security
	// securityErr is a TLS file that could not be loaded; every Ping
	// returns it, so the role stops at start instead of dialing without TLS.
	securityErr error
	// seal is the per-person encryption, nil until EnableSealing.
	seal *sealing
	// followers are the table followers' goroutines, stopped by Close.
	followers followers
}

// followers stops and waits for the goroutines that follow tables, so
// none reads, applies or logs after Close returns.
type followers struct {
	mu      sync.Mutex
	closed  bool
	cancels []context.CancelFunc
	wg      sync.WaitGroup
}

// start runs fn in a goroutine with a context Close cancels; false when
// the handle is closed already.
func (f *followers) start(ctx context.Context, fns ...func(context.Context)) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	ctx, cancel := context.WithCancel(ctx)
	f.cancels = append(f.cancels, cancel)
	for _, fn := range fns {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			fn(ctx)
		}()
	}
	return true
}

func (f *followers) stop() {
	f.mu.Lock()
	f.closed = true
	for _, cancel := range f.cancels {
		cancel()
	}
	f.cancels = nil
	f.mu.Unlock()
	f.wg.Wait()
}

// NewKafka prepares a handle on the brokers. It does not dial; Ping does.
// brokers overrides cfg.Brokers (the embedded broker's address).
func NewKafka(cfg Config, brokers []string, logger *slog.Logger, reg prometheus.Registerer) *Kafka {
	if len(brokers) == 0 {
		brokers = cfg.Brokers
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sec, secErr := newSecurity(cfg)
	if secErr != nil {
		secErr = fmt.Errorf("%w: %w", ErrKafkaAuth, secErr)
	}
	if sec.sasl != nil && sec.tls == nil {
		logger.Warn("kafka.sasl without kafka.tls: credentials and records cross the network unencrypted", "mechanism", sec.sasl.Name())
	}
	if sec.tls != nil && sec.tls.InsecureSkipVerify {
		logger.Warn("kafka.tls.insecure_skip_verify is on: any certificate is accepted (for tests only)")
	}
	transport := &kafka.Transport{
		ClientID:    cfg.ClientID,
		DialTimeout: cfg.DialTimeout,
		IdleTimeout: 30 * time.Second,
		MetadataTTL: 30 * time.Second,
		TLS:         sec.tls,
		SASL:        sec.sasl,
	}
	return &Kafka{
		security:    sec,
		securityErr: secErr,
		cfg:         cfg,
		brokers:     brokers,
		topics:      cfg.TopicNames(),
		logger:      logger.With("component", "kafka"),
		base:        logger,
		metrics:     NewMetrics(reg),
		transport:   transport,
		client:      &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 30 * time.Second, Transport: transport},
	}
}

// Brokers returns the bootstrap addresses in use.
func (k *Kafka) Brokers() []string { return k.brokers }

// Topics returns the topic names.
func (k *Kafka) Topics() Topics { return k.topics }

// Config returns the settings the handle was made with.
func (k *Kafka) Config() Config { return k.cfg }

// Metrics returns the pipeline metrics.
func (k *Kafka) Metrics() *Metrics { return k.metrics }

// Close stops the handle's table followers (and waits until they have
// stopped) and releases idle connections.
func (k *Kafka) Close() {
	k.followers.stop()
	k.transport.CloseIdleConnections()
}

// Ping asks the cluster for its metadata, failing with ErrUnreachable and the
// broker addresses when it cannot be reached within the dial timeout.
func (k *Kafka) Ping(ctx context.Context) error {
	timeout := k.cfg.DialTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if k.securityErr != nil {
		return k.securityErr
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := k.client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		err = explainDialError(err, k.brokers, k.cfg)
		if errors.Is(err, ErrKafkaAuth) {
			return err
		}
		return fmt.Errorf("%w at %s: %w", ErrUnreachable, strings.Join(k.brokers, ","), err)
	}
	return nil
}

// WaitReachable pings with backoff until the cluster answers or ctx ends,
// logging each failure, so a stage started before its broker waits for it.
func (k *Kafka) WaitReachable(ctx context.Context) error {
	backoff := 250 * time.Millisecond
	for {
		err := k.Ping(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || errors.Is(err, ErrKafkaAuth) {
			return err // a wrong password or certificate does not fix itself
		}
		k.logger.Warn("waiting for Kafka", "brokers", k.brokers, "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// TopicSpec is how one topic is created.
type TopicSpec struct {
	Role              string
	Name              string
	Partitions        int
	ReplicationFactor int
	Configs           map[string]string
}

// TopicSpecs resolves the creation settings of every topic.
func (k *Kafka) TopicSpecs() []TopicSpec {
	specs := make([]TopicSpec, 0, len(Roles))
	for _, role := range Roles {
		s := TopicSpec{
			Role:              role,
			Name:              k.topics.Name(role),
			Partitions:        k.cfg.Topics.Partitions,
			ReplicationFactor: k.cfg.Topics.ReplicationFactor,
			Configs:           map[string]string{"cleanup.policy": "delete"},
		}
		if Compacted(role) {
			s.Configs["cleanup.policy"] = "compact"
		}
		if erasedByCompaction[role] && !k.cfg.Embedded.Enabled {
			// Erasure deletes these records with tombstones; Kafka removes
			// the superseded values only when it compacts. These settings
			// bound how long that takes (the embedded broker compacts right
			// after an erasure instead).
			for key, v := range erasureCompaction {
				s.Configs[key] = v
			}
		}
		if ms, ok := k.cfg.TopicRetention[role]; ok && !Compacted(role) {
			s.Configs["retention.ms"] = strconv.FormatInt(ms, 10)
			if ms > 0 {
				// Kafka deletes whole segments, the active one never: a
				// segment rolled daily (or sooner for shorter periods)
				// keeps a record at most a day past its retention,
				// instead of the default week.
				s.Configs["segment.ms"] = strconv.FormatInt(min(ms, retentionSegmentMs), 10)
			}
		}
		if o, ok := k.cfg.Topics.Overrides[role]; ok {
			if o.Partitions > 0 {
				s.Partitions = o.Partitions
			}
			if o.ReplicationFactor > 0 {
				s.ReplicationFactor = o.ReplicationFactor
			}
			if o.CleanupPolicy != "" {
				s.Configs["cleanup.policy"] = o.CleanupPolicy
			}
		}
		specs = append(specs, s)
	}
	return specs
}

// EnsureTopics creates the missing topics, then brings the settings
// Earshot manages (retention.ms, the erasure compaction bounds) of existing
// topics to the configured values (ReconcileTopicConfigs); partition counts
// and replication are never changed behind the operator's back.
func (k *Kafka) EnsureTopics(ctx context.Context) error {
	specs := k.TopicSpecs()
	req := &kafka.CreateTopicsRequest{}
	for _, s := range specs {
		tc := kafka.TopicConfig{Topic: s.Name, NumPartitions: s.Partitions, ReplicationFactor: s.ReplicationFactor}
		keys := make([]string, 0, len(s.Configs))
		for key := range s.Configs {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: key, ConfigValue: s.Configs[key]})
		}
		req.Topics = append(req.Topics, tc)
	}
	resp, err := k.client.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("creating topics: %w: %w", ErrUnreachable, err)
	}
	var errs []error
	for name, terr := range resp.Errors {
		if terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("creating topic %s: %w", name, terr))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	k.ReconcileTopicConfigs(ctx)
	return nil
}

// PartitionInfo is a partition's offsets and, for a group, its lag.
type PartitionInfo struct {
	Partition   int   `json:"partition"`
	StartOffset int64 `json:"start_offset"`
	EndOffset   int64 `json:"end_offset"`
	// Committed offsets by consumer group (the next offset it will read).
	Committed map[string]int64 `json:"committed,omitempty"`
}

// TopicInfo describes one topic for `earshot topics`.
type TopicInfo struct {
	Name       string          `json:"name"`
	Partitions []PartitionInfo `json:"partitions"`
}

// DescribeTopics returns partitions, first and end offsets of the named
// topics, and the committed offsets of the given groups.
func (k *Kafka) DescribeTopics(ctx context.Context, names []string, groups []string) ([]TopicInfo, error) {
	meta, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: names})
	if err != nil {
		return nil, fmt.Errorf("reading metadata: %w: %w", ErrUnreachable, err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	var infos []TopicInfo
	for _, t := range meta.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("reading metadata of %s: %w", t.Name, t.Error)
		}
		ti := TopicInfo{Name: t.Name}
		for _, p := range t.Partitions {
			ti.Partitions = append(ti.Partitions, PartitionInfo{Partition: p.ID, Committed: map[string]int64{}})
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
		}
		sort.Slice(ti.Partitions, func(i, j int) bool { return ti.Partitions[i].Partition < ti.Partitions[j].Partition })
		infos = append(infos, ti)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	offs, err := k.client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("listing offsets: %w", err)
	}
	for i := range infos {
		for _, po := range offs.Topics[infos[i].Name] {
			for j := range infos[i].Partitions {
				if infos[i].Partitions[j].Partition == po.Partition {
					infos[i].Partitions[j].StartOffset = po.FirstOffset
					infos[i].Partitions[j].EndOffset = po.LastOffset
				}
			}
		}
	}
	for _, g := range groups {
		for i := range infos {
			committed, err := k.client.ConsumerOffsets(ctx, kafka.TopicAndGroup{Topic: infos[i].Name, GroupId: g})
			if err != nil {
				continue // the group never consumed this topic
			}
			for j := range infos[i].Partitions {
				if off, ok := committed[infos[i].Partitions[j].Partition]; ok && off >= 0 {
					infos[i].Partitions[j].Committed[g] = off
				}
			}
		}
	}
	return infos, nil
}

// EndOffsets returns the next offset to be written, per partition of topic.
func (k *Kafka) EndOffsets(ctx context.Context, topic string) (map[int]int64, error) {
	infos, err := k.DescribeTopics(ctx, []string{topic}, nil)
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for _, ti := range infos {
		for _, p := range ti.Partitions {
			out[p.Partition] = p.EndOffset
		}
	}
	return out, nil
}

// dialer is used by readers; it shares the handle's timeouts and client id.
func (k *Kafka) dialer() *kafka.Dialer {
	return &kafka.Dialer{ClientID: k.cfg.ClientID, Timeout: k.cfg.DialTimeout, DualStack: true,
		TLS: k.security.tls, SASLMechanism: k.security.sasl}
}
