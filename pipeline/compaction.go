package pipeline

import (
	"context"
	"fmt"
	"sort"

	"github.com/segmentio/kafka-go"
)

// markerSubject is the all-zero subject of the keys topic's markers; no
// identity hashes to it in practice and no data key is ever stored under it.
const markerSubject = "00000000000000000000000000000000"

// CompactionMarkers returns one tombstone for a never-used key on every
// partition of each topic. A compaction (Kafka's cleaner or the embedded
// broker's) never cleans a partition's active segment (the embedded
// broker: its last batch), and the key map it drops superseded records by
// is built from the cleanable part only; so an erasure's tombstones must
// be followed by another record before compaction can drop what they
// delete. Written after the tombstones were acknowledged, the markers are
// that record.
func (k *Kafka) CompactionMarkers(ctx context.Context, topics ...string) ([]Output, error) {
	var outs []Output
	balancer := &kafka.Murmur2Balancer{Consistent: true} // the producers' partitioner
	for _, topic := range topics {
		ends, err := k.EndOffsets(ctx, topic)
		if err != nil {
			return nil, fmt.Errorf("listing the partitions of %s: %w", topic, err)
		}
		parts := make([]int, 0, len(ends))
		for p := range ends {
			parts = append(parts, p)
		}
		sort.Ints(parts)
		need := map[int]bool{}
		for _, p := range parts {
			need[p] = true
		}
		for i := 0; len(need) > 0 && i < 100*len(parts)+1000; i++ {
			key := []byte(fmt.Sprintf("%s/%016x", markerSubject, i))
			p := balancer.Balance(kafka.Message{Key: key}, parts...)
			if need[p] {
				delete(need, p)
				outs = append(outs, Output{Topic: topic, Key: key})
			}
		}
		if len(need) > 0 {
			return nil, fmt.Errorf("finding compaction marker keys for %s: no key for partitions %v", topic, need)
		}
	}
	return outs, nil
}
