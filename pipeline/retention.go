package pipeline

import (
	"context"
	"fmt"
	"sort"

	"github.com/segmentio/kafka-go"
)

// retentionSegmentMs is the segment.ms of topics with a retention: one day.
const retentionSegmentMs = 24 * 60 * 60 * 1000

// managedConfigs are the topic settings Earshot owns on existing topics:
// the retention of each data kind, and the compaction bounds of the topics
// an erasure deletes from. Anything else an operator set is left alone.
var managedConfigs = func() map[string]bool {
	m := map[string]bool{"retention.ms": true}
	for key := range erasureCompaction {
		m[key] = true
	}
	return m
}()

// TopicConfigChange is one managed setting of one topic that differed from
// the configuration: changed, or refused by the broker (Err).
type TopicConfigChange struct {
	Topic string
	Name  string
	From  string // "" when the broker did not report it
	To    string
	Err   error
}

// ReconcileTopicConfigs sets the managed settings of every existing topic
// to what TopicSpecs says, with IncrementalAlterConfigs (only the settings
// that differ, so an operator's other settings stay). It logs each change;
// a broker that refuses (no ALTER_CONFIGS permission, a policy) gets a
// warning naming the topic and the setting, never a failed start: the
// topics then keep their old retention until an operator sets it.
func (k *Kafka) ReconcileTopicConfigs(ctx context.Context) []TopicConfigChange {
	specs := k.TopicSpecs()
	want := map[string]map[string]string{}
	req := &kafka.DescribeConfigsRequest{}
	for _, s := range specs {
		keys := managedKeys(s.Configs)
		if len(keys) == 0 {
			continue
		}
		want[s.Name] = map[string]string{}
		for _, key := range keys {
			want[s.Name][key] = s.Configs[key]
		}
		req.Resources = append(req.Resources, kafka.DescribeConfigRequestResource{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: s.Name, ConfigNames: keys})
	}
	if len(req.Resources) == 0 {
		return nil
	}
	resp, err := k.client.DescribeConfigs(ctx, req)
	if err != nil {
		k.logger.Warn("cannot read the topics' settings; retention and compaction settings of existing topics are not checked",
			"error", err)
		return nil
	}
	have := map[string]map[string]string{}
	for _, r := range resp.Resources {
		if r.Error != nil {
			k.logger.Warn("cannot read a topic's settings; its retention is not checked", "topic", r.ResourceName, "error", r.Error)
			continue
		}
		have[r.ResourceName] = map[string]string{}
		for _, e := range r.ConfigEntries {
			have[r.ResourceName][e.ConfigName] = e.ConfigValue
		}
	}
	var changes []TopicConfigChange
	alter := &kafka.IncrementalAlterConfigsRequest{}
	names := make([]string, 0, len(have))
	for name := range have {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var cfgs []kafka.IncrementalAlterConfigsRequestConfig
		for _, key := range managedKeys(want[name]) {
			from, to := have[name][key], want[name][key]
			if from == to {
				continue
			}
			changes = append(changes, TopicConfigChange{Topic: name, Name: key, From: from, To: to})
			cfgs = append(cfgs, kafka.IncrementalAlterConfigsRequestConfig{Name: key, Value: to, ConfigOperation: kafka.ConfigOperationSet})
		}
		if len(cfgs) > 0 {
			alter.Resources = append(alter.Resources, kafka.IncrementalAlterConfigsRequestResource{
				ResourceType: kafka.ResourceTypeTopic, ResourceName: name, Configs: cfgs})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	refused := map[string]error{}
	aresp, err := k.client.IncrementalAlterConfigs(ctx, alter)
	if err != nil {
		for _, r := range alter.Resources {
			refused[r.ResourceName] = err
		}
	} else {
		for _, r := range aresp.Resources {
			if r.Error != nil {
				refused[r.ResourceName] = r.Error
			}
		}
	}
	for i, c := range changes {
		if err := refused[c.Topic]; err != nil {
			changes[i].Err = err
			k.logger.Warn("the broker refused a topic setting; the topic keeps its old value until an operator sets it "+
				"(kafka-configs.sh --alter --entity-type topics --entity-name TOPIC --add-config NAME=VALUE, which needs the ALTER_CONFIGS permission)",
				"topic", c.Topic, "setting", c.Name, "value", c.To, "current", c.From, "error", err)
			continue
		}
		k.logger.Info("topic setting changed to the configured value", "topic", c.Topic, "setting", c.Name, "from", c.From, "to", c.To)
	}
	return changes
}

// TopicConfig returns the current value of one setting of a topic.
func (k *Kafka) TopicConfig(ctx context.Context, topic, name string) (string, error) {
	resp, err := k.client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{
		{ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{name}}}})
	if err != nil {
		return "", fmt.Errorf("describing the settings of %s: %w", topic, err)
	}
	for _, r := range resp.Resources {
		if r.Error != nil {
			return "", fmt.Errorf("describing the settings of %s: %w", topic, r.Error)
		}
		for _, e := range r.ConfigEntries {
			if e.ConfigName == name {
				return e.ConfigValue, nil
			}
		}
	}
	return "", fmt.Errorf("describing the settings of %s: the broker did not report %s", topic, name)
}

// managedKeys are the sorted keys of cfgs that Earshot reconciles.
func managedKeys(cfgs map[string]string) []string {
	var keys []string
	for key := range cfgs {
		if managedConfigs[key] {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}
