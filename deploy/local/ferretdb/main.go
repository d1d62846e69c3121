// Command relais-ferretdb runs FerretDB 1.x with its SQLite backend as a library,
// so that no generated build file and no Docker image are needed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (keep it on loopback)")
	dataDir := flag.String("data", ".relais/ferretdb", "directory for the SQLite databases")
	// normal: in WAL mode, a commit survives a crash of this process (the WAL is in the OS
	// already) but an OS crash or power loss may lose the last commits; full: one fsync per
	// commit, survives both, several times slower under concurrent writers.
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous pragma: normal or full")
	flag.Parse()
	if *synchronous != "normal" && *synchronous != "full" {
		log.Fatalf("-synchronous must be normal or full, not %q", *synchronous)
	}

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("data directory %q: %v", *dataDir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.Fatalf("data directory %q: %v", dir, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		// FerretDB keeps WAL mode and passes every _pragma to each connection of each database.
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()

	go keepIDIndexes(ctx, dir, time.Second)

	fmt.Printf("relais-ferretdb listening on %s, data in %s\n", *listen, dir)
	<-done
}
