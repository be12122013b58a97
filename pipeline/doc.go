// Package pipeline is Earshot's Kafka runtime: topic names, the kafka-go
// producer and consumers, group stages and sinks that commit only what their
// output acknowledged, keyed tables, connector checkpoints, the dead-letter
// queue and the embedded broker. The records it moves live in package record.
package pipeline
