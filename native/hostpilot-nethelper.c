/*
 * hostpilot-nethelper: one long-lived helper of the agent for the two things
 * its CNI fast path cannot do from Node.js without a child process per call
 * (agent/net/net-helper.ts drives it; docs/networking.md says why):
 *
 *   lock PATH      flock(LOCK_EX) on PATH (created 0600 if missing): the lock
 *                  host-local takes on <dataDir>/<network>/lock, so the
 *                  agent's in-process IPAM and an exec'd host-local exclude
 *                  each other. At most one lock is held at a time.
 *   unlock         releases it.
 *   pod NETNS IFNAME ADDRESS PREFIX GATEWAY
 *                  enters the network namespace at NETNS (a path), and over
 *                  rtnetlink adds ADDRESS/PREFIX to IFNAME, sets it up and
 *                  replaces the default route with "via GATEWAY dev IFNAME
 *                  onlink" (what `ip addr add`, `ip link set up`, `ip route
 *                  replace ... onlink` send), then returns to its own netns.
 *
 * One command per line on stdin, one answer per line on stdout: "ok" or
 * "err <reason>". A line that is not a valid command gets "err"; the helper
 * exits at EOF (a lock it held goes with it) or when it cannot return to its
 * own namespace (the agent starts another).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LINE 8192

static int lock_fd = -1;

static void reply(const char *what, const char *detail) {
  if (detail) printf("%s %s\n", what, detail);
  else printf("%s\n", what);
  fflush(stdout);
}

static void reply_errno(const char *step) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s: %s", step, strerror(errno));
  reply("err", buf);
}

static void do_lock(const char *path) {
  if (lock_fd >= 0) return reply("err", "a lock is already held");
  int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return reply_errno("open lock file");
  while (flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) {
      close(fd);
      return reply_errno("flock");
    }
  }
  lock_fd = fd;
  reply("ok", NULL);
}

static void do_unlock(void) {
  /* Closing the only descriptor of the open file releases the flock. */
  if (lock_fd >= 0) close(lock_fd);
  lock_fd = -1;
  reply("ok", NULL);
}

struct request {
  struct nlmsghdr hdr;
  union {
    struct ifaddrmsg addr;
    struct ifinfomsg link;
    struct rtmsg route;
  } body;
  char attrs[64];
};

static void add_attr(struct request *req, unsigned short type, const void *data, unsigned short len) {
  struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->hdr.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  req->hdr.nlmsg_len = NLMSG_ALIGN(req->hdr.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Sends one request and waits for its ack; 0, or -1 with errno set from the kernel's answer. */
static int talk(int fd, struct request *req, unsigned seq) {
  req->hdr.nlmsg_seq = seq;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, req, req->hdr.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err == 0) return 0;
      errno = -err;
      return -1;
    }
  }
}

static int configure(const char *ifname, struct in_addr address, int prefix, struct in_addr gateway, const char **step) {
  *step = "netlink socket";
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  int index = (int)if_nametoindex(ifname);
  *step = "find interface";
  if (index == 0) return close(fd), -1;

  struct request req;
  memset(&req, 0, sizeof req);
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof req.body.addr);
  req.hdr.nlmsg_type = RTM_NEWADDR;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  req.body.addr = (struct ifaddrmsg){.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)index};
  add_attr(&req, IFA_LOCAL, &address, sizeof address);
  add_attr(&req, IFA_ADDRESS, &address, sizeof address);
  *step = "add address";
  if (talk(fd, &req, 1) < 0) return close(fd), -1;

  memset(&req, 0, sizeof req);
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof req.body.link);
  req.hdr.nlmsg_type = RTM_NEWLINK;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.body.link = (struct ifinfomsg){.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
  *step = "set link up";
  if (talk(fd, &req, 2) < 0) return close(fd), -1;

  memset(&req, 0, sizeof req);
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof req.body.route);
  req.hdr.nlmsg_type = RTM_NEWROUTE;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
  req.body.route = (struct rtmsg){.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST, .rtm_flags = RTNH_F_ONLINK};
  add_attr(&req, RTA_GATEWAY, &gateway, sizeof gateway);
  add_attr(&req, RTA_OIF, &index, sizeof index);
  *step = "replace default route";
  if (talk(fd, &req, 3) < 0) return close(fd), -1;
  close(fd);
  return 0;
}

static void do_pod(int home, char *netns, char *ifname, char *address, char *prefix, char *gateway) {
  struct in_addr addr, gw;
  char *end;
  long bits = strtol(prefix, &end, 10);
  if (netns[0] != '/' || strlen(ifname) >= IFNAMSIZ || inet_pton(AF_INET, address, &addr) != 1 || inet_pton(AF_INET, gateway, &gw) != 1 || *end != '\0' || bits < 0 || bits > 32) {
    return reply("err", "malformed pod command");
  }
  int fd = open(netns, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return reply_errno("open netns");
  if (setns(fd, CLONE_NEWNET) < 0) {
    close(fd);
    return reply_errno("enter netns");
  }
  close(fd);
  const char *step = "";
  int failed = configure(ifname, addr, (int)bits, gw, &step);
  int saved = errno;
  if (setns(home, CLONE_NEWNET) < 0) {
    reply_errno("return to the helper's netns");
    exit(1);
  }
  errno = saved;
  if (failed) return reply_errno(step);
  reply("ok", NULL);
}

int main(void) {
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    reply_errno("open own netns");
    return 1;
  }
  static char line[MAX_LINE];
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n') {
      /* Over-long: drop the rest of it, answer once. */
      int c;
      while (len == sizeof line - 1 && (c = getchar()) != EOF && c != '\n') {
      }
      reply("err", "line too long");
      continue;
    }
    line[len - 1] = '\0';
    char *words[7] = {0}, *save = NULL;
    int n = 0;
    for (char *w = strtok_r(line, " ", &save); w && n < 7; w = strtok_r(NULL, " ", &save)) words[n++] = w;
    if (n == 2 && strcmp(words[0], "lock") == 0 && words[1][0] == '/') do_lock(words[1]);
    else if (n == 1 && strcmp(words[0], "unlock") == 0) do_unlock();
    else if (n == 6 && strcmp(words[0], "pod") == 0) do_pod(home, words[1], words[2], words[3], words[4], words[5]);
    else reply("err", "unknown command");
  }
  return 0;
}
