package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// FerretDB 1.24 looks documents up by `_ferretdb_sjson->'$._id'` but indexes `_id` as
// `_ferretdb_sjson->"_id"`. SQLite matches expression indexes only by their exact text, so every
// find, update and delete by _id scans the whole table (measured: 27 ms per update at 10,000
// documents, 0.7 ms with this index). keepIDIndexes adds, to every collection table, an index on
// the very expression the lookups use. FerretDB does not know about it and needs not: dropping a
// collection drops its table and the index with it.
func keepIDIndexes(ctx context.Context, dir string, every time.Duration) {
	conns := map[string]*openDB{}
	defer func() {
		for _, c := range conns {
			c.db.Close()
		}
	}()

	ticker := time.NewTicker(every)
	defer ticker.Stop()

	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		seen := map[string]bool{}
		for _, file := range files {
			seen[file] = true
			ino, err := inode(file)
			if err != nil {
				continue // dropped meanwhile
			}
			c, ok := conns[file]
			// A database dropped and created again under the same name is a new file: a
			// connection to the old, unlinked one would index nothing that anybody reads.
			if ok && c.ino != ino {
				forget(conns, file)
				ok = false
			}
			if !ok {
				db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
				if err != nil {
					log.Printf("id indexes: %s: %v", file, err)
					continue
				}
				db.SetMaxOpenConns(1)
				c = &openDB{db: db, ino: ino}
				conns[file] = c
			}
			if err := indexTables(ctx, c.db); err != nil {
				log.Printf("id indexes: %s: %v", file, err)
			}
		}
		for file := range conns {
			if !seen[file] {
				forget(conns, file)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// forget drops a connection to a database file that was dropped (and maybe created again)
// WITHOUT closing it. Closing the last connection to a WAL database checkpoints and removes its
// -wal and -shm files BY PATH, which by then may belong to the new database of the same name:
// FerretDB then died of SIGBUS reading a truncated -shm (seen in the full suite). A leaked
// connection to an unlinked file only holds a descriptor until the process ends.
func forget(conns map[string]*openDB, file string) {
	delete(conns, file)
}

type openDB struct {
	db  *sql.DB
	ino uint64
}

func inode(file string) (uint64, error) {
	info, err := os.Stat(file)
	if err != nil {
		return 0, err
	}
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, nil
	}
	return stat.Ino, nil
}

func indexTables(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		AND NOT EXISTS (
			SELECT 1 FROM sqlite_master i
			WHERE i.type = 'index' AND i.tbl_name = t.name AND i.name = t.name || '_relais_id'
		)`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()

	for _, table := range tables {
		quoted := strings.ReplaceAll(table, `"`, `""`)
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s_relais_id" ON "%s" (_ferretdb_sjson->'$._id')`, quoted, quoted)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
