// Command mkinitrd writes a Linux initramfs (a "newc" cpio archive) from
// files given as archive-path=host-path arguments:
//
//	mkinitrd -o initrd.cpio init=./guestinit lib/modules/evdev.ko=/tmp/evdev.ko
//
// Parent directories are created in the archive; every file is written
// executable, which the kernel needs for /init and ignores for modules.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path"
	"strings"
)

func main() {
	out := flag.String("o", "initrd.cpio", "archive to write")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := &writer{w: f, dirs: map[string]bool{}}
	for _, arg := range flag.Args() {
		name, src, ok := strings.Cut(arg, "=")
		if !ok {
			log.Fatalf("argument %q is not archive-path=host-path", arg)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			log.Fatal(err)
		}
		w.file(strings.TrimPrefix(name, "/"), data)
	}
	w.entry("TRAILER!!!", 0, nil)
	if err := w.err; err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// writer emits newc entries (see the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst).
type writer struct {
	w    io.Writer
	ino  int
	n    int64
	dirs map[string]bool
	err  error
}

func (w *writer) file(name string, data []byte) {
	w.mkdirs(path.Dir(name))
	w.entry(name, 0o100755, data)
}

func (w *writer) mkdirs(dir string) {
	if dir == "." || w.dirs[dir] {
		return
	}
	w.mkdirs(path.Dir(dir))
	w.dirs[dir] = true
	w.entry(dir, 0o40755, nil)
}

func (w *writer) entry(name string, mode int, data []byte) {
	w.ino++
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		w.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	w.write([]byte(hdr + name + "\x00"))
	w.pad()
	w.write(data)
	w.pad()
}

func (w *writer) pad() {
	if r := w.n % 4; r != 0 {
		w.write(make([]byte, 4-r))
	}
}

func (w *writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(b)
	w.n += int64(n)
	w.err = err
}
