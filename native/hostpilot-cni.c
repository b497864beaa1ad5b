/*
 * hostpilot-cni: the executable a container runtime runs for each CNI call.
 * It starts in about a millisecond and only forwards the call (the CNI_*
 * environment and the network config on stdin) over a Unix socket to the
 * running hostpilot-agent, which does the work and answers; it then prints
 * the agent's reply and exits with its code. When no agent listens, it runs
 * the Node.js plugin instead (same request, same stdin), as before.
 * Why C and why so small: docs/networking.md ("The fast CNI path").
 *
 * Request:  "KEY=VALUE\0" per CNI_* variable, an empty "\0", then stdin;
 *           the client shuts down its write side to end it.
 * Reply:    one byte exit code, then the plugin's stdout, until close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_STDIN (1024 * 1024)
#define DEFAULT_SOCKET "/run/hostpilot/cni.sock"
#define REPLY_TIMEOUT_S 300

static const char *const VARS[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"};

static char input[MAX_STDIN + 1];
static size_t input_len;

/* A CNI error result on stdout (SPEC "Error"), exit 1. */
static int fail(int code, const char *msg) {
  printf("{\"cniVersion\":\"1.0.0\",\"code\":%d,\"msg\":\"hostpilot-cni: %s\"}\n", code, msg);
  return 1;
}

static int read_stdin(void) {
  for (;;) {
    if (input_len > MAX_STDIN) return -1;
    ssize_t n = read(0, input + input_len, MAX_STDIN + 1 - input_len);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    input_len += (size_t)n;
  }
}

/*
 * The "agentSocket" string of the network config, when present: a plain
 * absolute path (no escapes), else the default. Only a top-level-looking key
 * is searched for; the agent validates the whole config itself.
 */
static void socket_path(char *out, size_t size) {
  snprintf(out, size, "%s", DEFAULT_SOCKET);
  const char *key = memmem(input, input_len, "\"agentSocket\"", 13);
  if (!key) return;
  const char *p = key + 13, *end = input + input_len;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  if (p >= end || *p++ != ':') return;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  if (p >= end || *p++ != '"' || p >= end || *p != '/') return;
  size_t n = 0;
  while (p + n < end && p[n] != '"' && p[n] != '\\' && (unsigned char)p[n] >= 0x20) n++;
  if (p + n >= end || p[n] != '"' || n >= size) return;
  memcpy(out, p, n);
  out[n] = '\0';
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* -1: nobody listens (fall back); otherwise the exit code to return. */
static int forward(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return -1;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    close(fd);
    return -1;
  }
  /* From here on the agent may act: never fall back, report instead. */
  struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) {
    const char *v = getenv(VARS[i]);
    if (!v) continue;
    if (write_all(fd, VARS[i], strlen(VARS[i])) || write_all(fd, "=", 1) || write_all(fd, v, strlen(v) + 1)) return close(fd), fail(5, "cannot send the request to the agent");
  }
  if (write_all(fd, "", 1) || write_all(fd, input, input_len)) return close(fd), fail(5, "cannot send the request to the agent");
  shutdown(fd, SHUT_WR);
  unsigned char code;
  ssize_t n;
  while ((n = read(fd, &code, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) return close(fd), fail(11, "the agent closed the connection without a reply; try again");
  char buf[65536];
  while ((n = read(fd, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (write_all(1, buf, (size_t)n)) break;
  }
  close(fd);
  return code;
}

/* Runs the Node.js plugin next to this binary with the same stdin (kept in a memfd). */
static int fall_back(char **argv) {
  char exe[PATH_MAX], script[PATH_MAX + 32];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return fail(5, "cannot find the fallback plugin");
  exe[n] = '\0';
  snprintf(script, sizeof script, "%s/../agent/net/cni-main.js", dirname(exe));
  int mfd = memfd_create("hostpilot-cni-stdin", 0);
  if (mfd < 0 || write_all(mfd, input, input_len) || lseek(mfd, 0, SEEK_SET) != 0 || dup2(mfd, 0) < 0) return fail(5, "cannot pass stdin to the fallback plugin");
  close(mfd);
  argv[0] = script;
  execv(script, argv);
  return fail(5, "the agent is not running and the fallback plugin cannot be run");
}

int main(int argc, char **argv) {
  (void)argc;
  if (read_stdin() < 0) return fail(6, "network config on stdin is larger than 1 MiB or unreadable");
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  socket_path(path, sizeof path);
  int code = forward(path);
  if (code >= 0) return code;
  return fall_back(argv);
}
