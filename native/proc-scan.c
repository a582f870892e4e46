// egpu-proc-scan: the /proc reading of `egpu clients` (main/platform/proc-scan.ts, scanOne) on
// two threads, for the one-shot CLI. The scan is kernel work that fuser does too; in a fresh
// Node process a second thread first costs a worker's boot and then runs the scan unoptimized,
// which kept `egpu clients` at ~0.85 x fuser's time (README, "Figures"). This program reads the
// same files — the mappings by PROCMAP_QUERY where the kernel has it — and prints what it found;
// the TypeScript side parses it into the same RawProcess records and keeps every decision about
// them (main/platform/native-scan.ts). When it is not built (no C compiler) or fails, `egpu
// clients` scans in TypeScript as before.
//
// Usage: egpu-proc-scan PROC_DIR ROOT_PREFIX [--host-table]
// EGPU_PROC_SCAN_MAPS=text in the environment reads every maps file as text (see mapped_by_query);
// with any value set, the program says on stderr how it read them ("maps: N by query (P paths
// asked), M as text").
// Output: one JSON array — per process worth reporting (one that holds something GPU-looking, or
// could not be read) [pid, status, fds, mapped, who], then the number of pids scanned. status is
// "ok" | "denied" | "vanished"; fds [[fd, target, fdinfo-or-null], …]; mapped [path, …]; who 0,
// or for a holder [status-lines-or-null, comm, cmdline-or-null] with comm false where the status
// text had a Name line to take it from, null where comm could not be read (of status only its Name
// and Uid lines). JSON, not a format of our own: Node's JSON.parse reads it in ~2 ms where a
// JavaScript reader of cold code took 10-20 ms after the scan (README, "Figures").
// Exit 0, or 2 on bad arguments.
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

// The record getdents64(2) fills (struct linux_dirent64; glibc 2.30+ declares none before
// <dirent.h>'s own getdents64, which Debian 12's has, but spelling it out keeps older ones
// building).
struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void buf_put(buf_t *b, const char *s, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->len + n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL) abort();
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

static void put_str(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

// A JSON string: '"' and '\' escaped, control bytes as \u00XX, every other byte as it is — bytes
// that are not UTF-8 included: the reader decodes the whole output as UTF-8 before JSON.parse,
// and since every string is delimited by ASCII, each decodes as it would on its own
// (proc-scan.ts: buffer.toString('utf8') of the file).
static void json_str(buf_t *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  buf_put(b, "\"", 1);
  size_t run = 0; // bytes copied as they are, written in one go
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    buf_put(b, s + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      buf_put(b, e, 2);
    } else {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      buf_put(b, e, 6);
    }
  }
  buf_put(b, s + run, n - run);
  buf_put(b, "\"", 1);
}

static void json_cstr(buf_t *b, const char *s) { json_str(b, s, strlen(s)); }

// The text, or null for a file that could not be read (len < 0).
static void json_optional(buf_t *b, const char *s, ssize_t len) {
  if (len < 0)
    put_str(b, "null");
  else
    json_str(b, s, (size_t)len);
}

static const char *proc_dir;
static const char *prefix;
static size_t prefix_len;
static char **pids;
static int npids;
static atomic_int next_chunk;
enum { CHUNK = 8 };

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

// main/platform/proc-scan.ts, looksLikeGpuNode and wantsFdinfo.
static int gpu_node(const char *t) {
  return starts(t, "/dev/dri/") || starts(t, "/dev/nvidia") || starts(t, "/dev/kfd") ||
         starts(t, "/dmabuf:") || strcmp(t, "anon_inode:dmabuf") == 0;
}
static int wants_fdinfo(const char *t) {
  return starts(t, "/dev/dri/") || starts(t, "/dmabuf:") || strcmp(t, "anon_inode:dmabuf") == 0;
}

// With --host-table: PROC_DIR is this host's process table, whose links name this host's files;
// of those only the ones under ROOT_PREFIX belong to the machine it stands for.
static int host_table;

// The root prefix stripped from a link target, as proc-scan.ts's strip() does; "" (nothing a GPU
// node can be) for a host file outside it when the table is the host's.
static const char *strip(const char *t) {
  if (prefix_len > 0 && strncmp(t, prefix, prefix_len) == 0 && t[prefix_len] == '/')
    return t + prefix_len;
  return host_table && prefix_len > 0 ? "" : t;
}

// Reads a file into *out (malloc'd), at most `max` bytes; with `single`, a short read ends it
// (files made by single_open and cmdline, as readProcFile). Returns the length, or -1.
static ssize_t read_file_until(const char *path, size_t max, int single,
                               int (*ended)(const char *, size_t), char **out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t cap = 4096, len = 0;
  char *d = malloc(cap);
  if (d == NULL) abort();
  for (;;) {
    if (len >= max) break;
    if (len == cap) {
      cap *= 2;
      d = realloc(d, cap);
      if (d == NULL) abort();
    }
    size_t want = cap - len;
    if (want > max - len) want = max - len;
    ssize_t n = read(fd, d + len, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      free(d);
      close(fd);
      return -1;
    }
    len += (size_t)n;
    if (n == 0 || (single && (size_t)n < want) || (ended != NULL && ended(d, len))) break;
  }
  close(fd);
  *out = d;
  return (ssize_t)len;
}

static ssize_t read_file(const char *path, size_t max, int single, char **out) {
  return read_file_until(path, max, single, NULL, out);
}

// The first bytes of the last line of every x86-64 maps file: the vsyscall page, the "gate" area
// the kernel lists after the process's own mappings (fs/proc/task_mmu.c, m_next and
// get_gate_vma). A read that ends in it ends the file, and the read() that would return 0 (the
// process's mmap lock taken once more) is skipped — proc-scan.ts, endsWithGateLine.
static const char GATE[] = "ffffffffff600000-ffffffffff601000 ";

static int ends_with_gate_line(const char *d, size_t len) {
  if (len < sizeof GATE + 1 || d[len - 1] != '\n') return 0;
  size_t start = len - 1;
  while (start > 0 && d[start - 1] != '\n') start--;
  return start > 0 && len - start > sizeof GATE && memcmp(d + start, GATE, sizeof GATE - 1) == 0;
}

static int is_js_space(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13); }

// The pathname (sixth column) of one maps line, trimmed, as proc-scan.ts's mappedPaths regex
// /^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.*)$/ reads it; 0 when the line does not match (fewer
// columns, or a character the regex's "." does not take: \r, U+2028, U+2029).
static int line_path(const char *line, size_t n, const char **p, size_t *plen) {
  size_t i = 0;
  for (int col = 0; col < 5; col++) {
    size_t s = i;
    while (i < n && !is_js_space((unsigned char)line[i])) i++;
    if (i == s) return 0;
    s = i;
    while (i < n && is_js_space((unsigned char)line[i])) i++;
    if (i == s) return 0;
  }
  for (size_t k = i; k < n; k++) {
    if (line[k] == '\r') return 0;
    if (k + 2 < n && (unsigned char)line[k] == 0xe2 && (unsigned char)line[k + 1] == 0x80 &&
        ((unsigned char)line[k + 2] == 0xa8 || (unsigned char)line[k + 2] == 0xa9))
      return 0;
  }
  size_t e = n;
  while (e > i && is_js_space((unsigned char)line[e - 1])) e--;
  *p = line + i;
  *plen = e - i;
  return 1;
}

// ── Mapped files through PROCMAP_QUERY ──────────────────────────────────────────────────────────
// Reading /proc/PID/maps makes the kernel format every mapping — hex ranges, and the path of every
// mapped library through d_path and mangle_path — and that was half of this program's time. Since
// Linux 6.11 an ioctl on the open maps file answers "the file-backed mapping at or after this
// address" with its file's device and inode, and its path only when asked (PROCMAP_QUERY,
// include/uapi/linux/fs.h; Documentation/filesystems/proc.rst, "/proc/PID/maps"). The layout and
// numbers below are that header's; Debian 12's headers predate it.
struct egpu_procmap_query {
  uint64_t size, query_flags, query_addr;
  uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
  uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
  uint64_t vma_name_addr, build_id_addr;
};
#define EGPU_PROCMAP_QUERY _IOWR('f', 17, struct egpu_procmap_query)
enum { COVERING_OR_NEXT_VMA = 0x10, FILE_BACKED_VMA = 0x20 };

// Which mappings are asked for their path. A GPU node under ROOT/dev is a file of the filesystem
// at ROOT/dev (devtmpfs on a real machine) or of one mounted below it; a file of any other
// filesystem mounted here is not one of those nodes, whatever its path reads, so a mapping of it
// by a process of this mount namespace is skipped without a path — on a real machine every
// library and data file. Filesystems mounted in no namespace of ours keep their paths asked (a
// dma-buf, a memfd, a container's own /dev), as do all mappings of a process in another mount
// namespace, and everything when ROOT/dev's filesystem cannot be told. The one answer that
// differs from the text's: a file hidden under the ROOT/dev mount point (opened before the mount)
// named like a node there — not the node, and the text cannot tell (proc-scan.ts counts it; this
// does not).
static dev_t *elsewhere; // devices of those other filesystems
static size_t nelsewhere;
static atomic_int maps_by_query = 1; // cleared when the kernel has no PROCMAP_QUERY
static atomic_int maps_queried, maps_read, paths_asked; // for EGPU_PROC_SCAN_MAPS's report

static int is_elsewhere(unsigned major, unsigned minor) {
  dev_t d = makedev(major, minor);
  for (size_t i = 0; i < nelsewhere; i++)
    if (elsewhere[i] == d) return 1;
  return 0;
}

// A mountinfo path field with its \ooo escapes undone (proc_pid_mountinfo(5): space, tab,
// newline and backslash are written in octal), in place.
static void unescape_octal(char *s) {
  char *w = s;
  for (char *r = s; *r;) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
        r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 4;
    } else {
      *w++ = *r++;
    }
  }
  *w = 0;
}

static void *xrealloc(void *p, size_t n) {
  void *r = realloc(p, n);
  if (r == NULL) abort();
  return r;
}

// Fills `elsewhere` from this program's own mount table: paths in maps are read from its root.
// ROOT/dev's filesystem is the one of the mount it is on, found by statx's mount ID (stat()'s
// st_dev can differ from what mountinfo and the ioctl give: a btrfs subvolume has a number of its
// own). Anything that cannot be told — no mount ID, a line of mountinfo that does not parse —
// leaves the list empty: every path is asked.
static void load_elsewhere(void) {
  char nodes[4096];
  int nl = snprintf(nodes, sizeof nodes, "%s/dev", prefix);
  if (nl < 0 || (size_t)nl >= sizeof nodes) return;
  struct statx sx;
  if (statx(AT_FDCWD, nodes, 0, STATX_MNT_ID, &sx) != 0 || (sx.stx_mask & STATX_MNT_ID) == 0)
    return;
  char *text = NULL;
  ssize_t len = read_file("/proc/self/mountinfo", (size_t)-1, 0, &text);
  if (len <= 0) {
    free(text);
    return;
  }
  text = xrealloc(text, (size_t)len + 1);
  text[len] = 0;
  typedef struct {
    dev_t dev;
    int below; // at or below ROOT/dev, or the mount ROOT/dev is on
  } mount_t;
  size_t n = 0, cap = 64;
  mount_t *mounts = xrealloc(NULL, cap * sizeof *mounts);
  int parsed = 1, found = 0;
  for (char *line = text; line != NULL && *line != 0 && parsed;) {
    char *next = strchr(line, '\n');
    if (next != NULL) *next++ = 0;
    // "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT …" (proc_pid_mountinfo(5)), read in place
    unsigned long long id;
    unsigned major, minor;
    int at = 0;
    if (sscanf(line, "%llu %*u %u:%u %*s %n", &id, &major, &minor, &at) != 3 || at == 0) {
      parsed = 0;
      break;
    }
    char *point = line + at, *end = strchr(point, ' ');
    if (end != NULL) *end = 0;
    unescape_octal(point);
    int own = id == sx.stx_mnt_id;
    found |= own;
    if (n == cap) mounts = xrealloc(mounts, (cap *= 2) * sizeof *mounts);
    mounts[n++] = (mount_t){makedev(major, minor),
                            own || (strncmp(point, nodes, (size_t)nl) == 0 &&
                                    (point[nl] == 0 || point[nl] == '/'))};
    line = next;
  }
  if (parsed && found) {
    dev_t statx_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    elsewhere = xrealloc(NULL, n * sizeof *elsewhere + 1);
    for (size_t i = 0; i < n; i++) {
      dev_t d = mounts[i].dev;
      int skip = d == statx_dev;
      for (size_t k = 0; k < n && !skip; k++) skip = mounts[k].below && mounts[k].dev == d;
      for (size_t k = 0; k < nelsewhere && !skip; k++) skip = elsewhere[k] == d;
      if (!skip) elsewhere[nelsewhere++] = d;
    }
  }
  free(mounts);
  free(text);
}

// This program's mount namespace ("mnt:[4026531841]"). The rule above holds for processes in it:
// a process in another one (a container, a flatpak) can reach a file of a filesystem mounted here
// elsewhere through a mount of its own at /dev/…, and the kernel then names it as seen from that
// mount. Every path of such a process is asked. The link's text, not a stat() through it: the
// kernel writes the text without resolving the namespace into a file (namespaces(7)).
static char own_mount_ns[64];
static ssize_t own_mount_ns_len = -1;

// `fd_dir`: the process's open fd folder, one step from its ns folder.
static int in_own_mount_ns(int fd_dir) {
  char ns[64];
  if (own_mount_ns_len <= 0) return 0;
  ssize_t n = readlinkat(fd_dir, "../ns/mnt", ns, sizeof ns);
  return n == own_mount_ns_len && memcmp(ns, own_mount_ns, (size_t)n) == 0;
}

static void add_mapped(char ***mapped, size_t *n, size_t *cap, const char *p, size_t plen) {
  char *s = strndup(p, plen);
  for (size_t k = 0; k < *n; k++)
    if (strcmp((*mapped)[k], s) == 0) {
      free(s);
      return;
    }
  if (*n == *cap) *mapped = xrealloc(*mapped, (*cap *= 2) * sizeof **mapped);
  (*mapped)[(*n)++] = s;
}

// The one line of maps text a mapping's path is read from: ranges, mode, offset, device and inode
// (none of which can hold "/dev/"), then the path as seq_path writes it — a newline as \012
// (mangle_path) — so that line_path reads both ways alike.
static const char COLUMNS[] = "0-0 r--p 0 00:00 0 ";

// The GPU-looking paths of one process's mappings by PROCMAP_QUERY, as the text would give them,
// into `mapped`: 1, or 0 where it cannot tell (no such ioctl, a path too long for it, the process
// changing its mappings under the walk) and the text is read instead; -1 for a maps file that
// cannot be opened (another user's process, one gone), whose text cannot be read either.
static int mapped_by_query(const char *maps_path, int may_skip, char ***mapped, size_t *n,
                           size_t *cap) {
  int fd = open(maps_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char name[4096];                       // PATH_MAX: the kernel's own cap on the answer
  char line[sizeof COLUMNS + 4 * 4096]; // every byte a \012 at worst
  int done = 0;
  for (uint64_t addr = 0;;) {
    struct egpu_procmap_query q = {.size = sizeof q,
                                   .query_flags = COVERING_OR_NEXT_VMA | FILE_BACKED_VMA,
                                   .query_addr = addr};
    if (ioctl(fd, EGPU_PROCMAP_QUERY, &q) != 0) {
      // ENOENT: no file-backed mapping at or after addr, the end; ESRCH: no address space (a
      // kernel thread, a zombie), whose maps text is empty.
      if (errno == ENOENT || errno == ESRCH) done = 1;
      if (errno == ENOTTY || errno == EINVAL) atomic_store(&maps_by_query, 0);
      break;
    }
    if (q.vma_end <= addr) break;
    addr = q.vma_end;
    if (may_skip && is_elsewhere(q.dev_major, q.dev_minor)) continue;
    atomic_fetch_add(&paths_asked, 1);
    q = (struct egpu_procmap_query){.size = sizeof q,
                                    .query_flags = COVERING_OR_NEXT_VMA | FILE_BACKED_VMA,
                                    .query_addr = q.vma_start,
                                    .vma_name_addr = (uintptr_t)name,
                                    .vma_name_size = sizeof name};
    if (ioctl(fd, EGPU_PROCMAP_QUERY, &q) != 0 || q.vma_end != addr) break;
    size_t len = sizeof COLUMNS - 1;
    memcpy(line, COLUMNS, len);
    for (uint32_t i = 0; i + 1 < q.vma_name_size && name[i] != 0; i++) {
      if (name[i] == '\n') {
        memcpy(line + len, "\\012", 4);
        len += 4;
      } else {
        line[len++] = name[i];
      }
    }
    const char *p;
    size_t plen;
    if (memmem(line, len, "/dev/", 5) != NULL && line_path(line, len, &p, &plen))
      add_mapped(mapped, n, cap, p, plen);
  }
  close(fd);
  if (!done) {
    for (size_t k = 0; k < *n; k++) free((*mapped)[k]);
    *n = 0;
  }
  return done;
}

typedef struct {
  char *fd, *target, *fdinfo;
  ssize_t fdinfo_len;
} hit_t;

static void scan_one(buf_t *out, const char *pid) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/fd", proc_dir, pid);
  // open + getdents64 rather than opendir: glibc's opendir also fstat()s the folder and
  // allocates a 32 KB buffer, once per process.
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    put_str(out, "[");
    json_cstr(out, pid);
    put_str(out, errno == EACCES || errno == EPERM ? ",\"denied\",[],[],0]," : ",\"vanished\",[],[],0],");
    return;
  }
  size_t nnames = 0, capn = 16;
  char **names = malloc(capn * sizeof *names);
  char dents[8192] __attribute__((aligned(8)));
  for (;;) {
    long n = syscall(SYS_getdents64, dfd, dents, sizeof dents);
    if (n <= 0) break; // the end, or an error: what was listed is what there is (as readdir)
    for (long at = 0; at < n;) {
      const struct linux_dirent64 *e = (const void *)(dents + at);
      at += e->d_reclen;
      if (e->d_name[0] == '.') continue;
      if (nnames == capn) names = realloc(names, (capn *= 2) * sizeof *names);
      names[nnames++] = strdup(e->d_name);
    }
  }
  size_t nhits = 0, caph = 4, lost = 0;
  hit_t *hits = malloc(caph * sizeof *hits);
  char link[4096];
  for (size_t i = 0; i < nnames; i++) {
    ssize_t l = readlinkat(dfd, names[i], link, sizeof link - 1);
    if (l < 0) {
      lost++;
      if (errno == EACCES || errno == EPERM) {
        lost += nnames - i - 1;
        break;
      }
      continue;
    }
    link[l] = 0;
    const char *t = strip(link);
    if (!gpu_node(t)) continue;
    if (nhits == caph) hits = realloc(hits, (caph *= 2) * sizeof *hits);
    hit_t *h = &hits[nhits++];
    h->fd = names[i];
    names[i] = NULL;
    h->target = strdup(t);
    h->fdinfo = NULL;
    h->fdinfo_len = -1;
    if (wants_fdinfo(t)) {
      snprintf(path, sizeof path, "%s/%s/fdinfo/%s", proc_dir, pid, h->fd);
      h->fdinfo_len = read_file(path, (size_t)-1, 1, &h->fdinfo);
    }
  }
  int may_skip = atomic_load(&maps_by_query) && nelsewhere > 0 && in_own_mount_ns(dfd);
  close(dfd);
  for (size_t i = 0; i < nnames; i++) free(names[i]);
  free(names);
  int vanished = 0;
  if (lost > 0 && lost == nnames) {
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/fd", proc_dir, pid);
    vanished = stat(path, &st) != 0;
  }
  // Mapped paths, first seen first, once each.
  size_t nmapped = 0, capm = 4;
  char **mapped = malloc(capm * sizeof *mapped);
  char *maps = NULL;
  ssize_t mlen = -1;
  if (!vanished) {
    snprintf(path, sizeof path, "%s/%s/maps", proc_dir, pid);
    int queried = 0;
    if (atomic_load(&maps_by_query))
      queried = mapped_by_query(path, may_skip, &mapped, &nmapped, &capm);
    if (queried == 1) {
      atomic_fetch_add(&maps_queried, 1);
    } else if (queried == 0) {
      mlen = read_file_until(path, (size_t)-1, 0, ends_with_gate_line, &maps);
      atomic_fetch_add(&maps_read, 1);
    }
  }
  if (mlen > 0 && memmem(maps, (size_t)mlen, "/dev/", 5) != NULL) {
    size_t at = 0;
    while (at < (size_t)mlen) {
      char *nl = memchr(maps + at, '\n', (size_t)mlen - at);
      size_t end = nl ? (size_t)(nl - maps) : (size_t)mlen;
      if (memmem(maps + at, end - at, "/dev/", 5) != NULL) {
        const char *p;
        size_t plen;
        if (line_path(maps + at, end - at, &p, &plen)) add_mapped(&mapped, &nmapped, &capm, p, plen);
      }
      at = end + 1;
    }
  }
  free(maps);
  size_t shown = 0;
  for (size_t k = 0; k < nmapped; k++)
    if (gpu_node(strip(mapped[k]))) shown++;
  if (vanished || nhits > 0 || shown > 0) {
    put_str(out, "[");
    json_cstr(out, pid);
    put_str(out, vanished ? ",\"vanished\",[" : ",\"ok\",[");
    for (size_t i = 0; i < nhits; i++) {
      put_str(out, i == 0 ? "[" : ",[");
      json_cstr(out, hits[i].fd);
      put_str(out, ",");
      json_cstr(out, hits[i].target);
      put_str(out, ",");
      json_optional(out, hits[i].fdinfo, hits[i].fdinfo_len);
      put_str(out, "]");
    }
    put_str(out, "],[");
    int first = 1;
    for (size_t k = 0; k < nmapped; k++) {
      if (!gpu_node(strip(mapped[k]))) continue;
      if (!first) put_str(out, ",");
      first = 0;
      json_cstr(out, strip(mapped[k]));
    }
    put_str(out, "],");
    if (!vanished && (nhits > 0 || shown > 0)) {
      // Who it is (proc-scan.ts, readIdentity): status, then comm only where status has no
      // Name line, then cmdline.
      char *text = NULL;
      put_str(out, "[");
      snprintf(path, sizeof path, "%s/%s/status", proc_dir, pid);
      ssize_t sl = read_file(path, 16 * 1024, 1, &text);
      if (sl >= 0) {
        // Only the lines the scan reads (proc-process.ts: Name, Uid): a status is ~1.4 KB,
        // mostly counters, and a holder's would otherwise be most of what crosses the pipe.
        char *keep = malloc((size_t)sl + 1);
        size_t kl = 0;
        for (ssize_t at = 0; at < sl;) {
          char *nl = memchr(text + at, '\n', (size_t)(sl - at));
          ssize_t end = nl ? nl - text + 1 : sl;
          size_t n = (size_t)(end - at);
          if ((n >= 5 && memcmp(text + at, "Name:", 5) == 0) ||
              (n >= 4 && memcmp(text + at, "Uid:", 4) == 0)) {
            memcpy(keep + kl, text + at, n);
            kl += n;
          }
          at = end;
        }
        json_optional(out, keep, (ssize_t)kl);
        free(keep);
      } else {
        json_optional(out, NULL, -1);
      }
      put_str(out, ",");
      int named = sl >= 6 && strncmp(text, "Name:\t", 6) == 0;
      free(text);
      text = NULL;
      if (!named) {
        snprintf(path, sizeof path, "%s/%s/comm", proc_dir, pid);
        ssize_t cl = read_file(path, 256, 1, &text); // before `text` is read: it sets it
        json_optional(out, text, cl);
        free(text);
        text = NULL;
      } else {
        put_str(out, "false");
      }
      put_str(out, ",");
      snprintf(path, sizeof path, "%s/%s/cmdline", proc_dir, pid);
      ssize_t ml = read_file(path, 64 * 1024, 1, &text);
      json_optional(out, text, ml);
      free(text);
      put_str(out, "]],");
    } else {
      put_str(out, "0],");
    }
  }
  for (size_t i = 0; i < nhits; i++) {
    free(hits[i].fd);
    free(hits[i].target);
    free(hits[i].fdinfo);
  }
  free(hits);
  for (size_t k = 0; k < nmapped; k++) free(mapped[k]);
  free(mapped);
}

static void *worker(void *arg) {
  buf_t *out = arg;
  for (;;) {
    int c = atomic_fetch_add(&next_chunk, 1);
    int from = c * CHUNK;
    if (from >= npids) break;
    int to = from + CHUNK < npids ? from + CHUNK : npids;
    for (int i = from; i < to; i++) scan_one(out, pids[i]);
  }
  return NULL;
}

static int write_all(const char *d, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, d, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    d += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  host_table = argc == 4 && strcmp(argv[3], "--host-table") == 0;
  if (argc != 3 && !host_table) {
    fprintf(stderr, "usage: egpu-proc-scan PROC_DIR ROOT_PREFIX [--host-table]\n");
    return 2;
  }
  proc_dir = argv[1];
  prefix = argv[2];
  prefix_len = strlen(prefix);
  const char *maps_mode = getenv("EGPU_PROC_SCAN_MAPS");
  if (maps_mode != NULL && strcmp(maps_mode, "text") == 0)
    maps_by_query = 0;
  else
    load_elsewhere();
  own_mount_ns_len = readlink("/proc/self/ns/mnt", own_mount_ns, sizeof own_mount_ns);
  DIR *d = opendir(proc_dir);
  size_t cap = 1024;
  pids = malloc(cap * sizeof *pids);
  if (d != NULL) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (!isdigit((unsigned char)e->d_name[0])) continue;
      if ((size_t)npids == cap) pids = realloc(pids, (cap *= 2) * sizeof *pids);
      pids[npids++] = strdup(e->d_name);
    }
    closedir(d);
  }
  buf_t mine = {0}, theirs = {0};
  pthread_t t;
  int two = npids > CHUNK && pthread_create(&t, NULL, worker, &theirs) == 0;
  worker(&mine);
  if (two) pthread_join(t, NULL);
  char count[32];
  snprintf(count, sizeof count, "%d]", npids);
  put_str(&mine, count);
  if (write_all("[", 1) != 0 || write_all(theirs.data ? theirs.data : "", theirs.len) != 0 ||
      write_all(mine.data ? mine.data : "", mine.len) != 0)
    return 1;
  if (maps_mode != NULL)
    fprintf(stderr, "maps: %d by query (%d paths asked), %d as text\n",
            atomic_load(&maps_queried), atomic_load(&paths_asked), atomic_load(&maps_read));
  return 0;
}
