package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/earshothq/earshot/internal/testcerts"
	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

// kafkaSecureInitCmd writes (once per directory) a CA, the broker's and a
// client's certificates, the test users, the broker's listener settings
// (listener.properties), the SCRAM credential argument for `kafka-storage
// format` (scram.arg) and secure.json for the tests. Later calls keep the
// existing files, so passwords and certificates survive restarts.
func kafkaSecureInitCmd(args []string) error {
	flags := flag.NewFlagSet("kafka-secure-init", flag.ContinueOnError)
	dir := flags.String("dir", "", "directory for the certificates and settings")
	addr := flags.String("addr", "127.0.0.1:19094", "the SASL_SSL listener's host:port")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	manifest := filepath.Join(abs, "secure.json")
	var l pipelinetest.SecureListener
	if data, err := os.ReadFile(manifest); err == nil && json.Unmarshal(data, &l) == nil && l.Addr == *addr {
		fmt.Println(manifest)
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", manifest, err)
	}
	host := (*addr)[:strings.LastIndex(*addr, ":")]
	certs, err := testcerts.Generate(abs, "kafka", host, "localhost")
	if err != nil {
		return err
	}
	// Kafka's PEM key store is one file: the private key, then the chain.
	keystore := filepath.Join(abs, "server-keystore.pem")
	key, err := os.ReadFile(certs.ServerKeyFile)
	if err != nil {
		return err
	}
	cert, err := os.ReadFile(certs.ServerCertFile)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keystore, append(key, cert...), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", keystore, err)
	}
	l = pipelinetest.SecureListener{
		Addr: *addr, CAFile: certs.CAFile, ClientCertFile: certs.ClientCertFile, ClientKeyFile: certs.ClientKeyFile,
		Mechanisms: []string{"PLAIN", "SCRAM-SHA-512"},
		Plain:      pipelinetest.User{Username: "earshot-plain", Password: secret()},
		Scram512:   pipelinetest.User{Username: "earshot-scram", Password: secret()},
	}
	props := strings.Join([]string{
		"# Written by scripts/testenv/probe kafka-secure-init: the SASL_SSL test listener.",
		"listener.name.sasl_ssl.sasl.enabled.mechanisms=" + strings.Join(l.Mechanisms, ","),
		"listener.name.sasl_ssl.ssl.keystore.type=PEM",
		"listener.name.sasl_ssl.ssl.keystore.location=" + keystore,
		"listener.name.sasl_ssl.ssl.truststore.type=PEM",
		"listener.name.sasl_ssl.ssl.truststore.location=" + certs.CAFile,
		// Mutual TLS: clients present a certificate from the test CA too.
		"listener.name.sasl_ssl.ssl.client.auth=required",
		fmt.Sprintf(`listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_%s="%s";`, l.Plain.Username, l.Plain.Password),
		"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
		"",
	}, "\n")
	if err := os.WriteFile(filepath.Join(abs, "listener.properties"), []byte(props), 0o600); err != nil {
		return err
	}
	scram := fmt.Sprintf("SCRAM-SHA-512=[name=%s,password=%s]\n", l.Scram512.Username, l.Scram512.Password)
	if err := os.WriteFile(filepath.Join(abs, "scram.arg"), []byte(scram), 0o600); err != nil {
		return err
	}
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(manifest, append(data, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Println(manifest)
	return nil
}

// secret is a random test password (hex: safe in JAAS and format arguments).
func secret() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
