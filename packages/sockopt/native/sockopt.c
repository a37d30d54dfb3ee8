/*
 * originalDst(fd): the destination a TCP connection had before an nftables/iptables `redirect` or
 * `dnat` rewrote it, read from conntrack with getsockopt(SO_ORIGINAL_DST) for IPv4 and
 * getsockopt(IP6T_SO_ORIGINAL_DST) for IPv6. Returns { ip, port, family } or throws with errno.
 * Plain C against node_api.h (N-API version 8): no C++ and no third-party headers.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80 /* linux/netfilter_ipv4.h */
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80 /* linux/netfilter_ipv6/ip6_tables.h */
#endif

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  char code[32];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  snprintf(code, sizeof code, "E%d", err);
  napi_throw_error(env, err == ENOENT ? "ENOENT" : err == ENOPROTOOPT ? "ENOPROTOOPT" : err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : code, msg);
  return NULL;
}

static napi_value result(napi_env env, const char *ip, unsigned port, int family) {
  napi_value obj, v;
  if (napi_create_object(env, &obj) != napi_ok) return NULL;
  napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "ip", v);
  napi_create_uint32(env, port, &v);
  napi_set_named_property(env, obj, "port", v);
  napi_create_uint32(env, (uint32_t)family, &v);
  napi_set_named_property(env, obj, "family", v);
  return obj;
}

static napi_value original_dst(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "EINVAL", "originalDst(fd): fd must be a non-negative integer");
    return NULL;
  }
  struct sockaddr_storage local;
  socklen_t llen = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &llen) != 0) return throw_errno(env, "getsockname", errno);
  char ip[INET6_ADDRSTRLEN];
  if (local.ss_family == AF_INET6) {
    struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&local;
    if (!IN6_IS_ADDR_V4MAPPED(&l6->sin6_addr)) {
      struct sockaddr_in6 dst;
      socklen_t len = sizeof dst;
      memset(&dst, 0, sizeof dst);
      if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &dst, &len) != 0) return throw_errno(env, "getsockopt(IP6T_SO_ORIGINAL_DST)", errno);
      if (dst.sin6_family == AF_INET6) {
        if (!inet_ntop(AF_INET6, &dst.sin6_addr, ip, sizeof ip)) return throw_errno(env, "inet_ntop", errno);
        return result(env, ip, ntohs(dst.sin6_port), 6);
      }
      return throw_errno(env, "getsockopt(IP6T_SO_ORIGINAL_DST): unexpected family", EAFNOSUPPORT);
    }
    /* an IPv4 connection accepted on a dual-stack socket: conntrack knows it as IPv4 */
  }
  struct sockaddr_in dst;
  socklen_t len = sizeof dst;
  memset(&dst, 0, sizeof dst);
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &len) != 0) return throw_errno(env, "getsockopt(SO_ORIGINAL_DST)", errno);
  if (!inet_ntop(AF_INET, &dst.sin_addr, ip, sizeof ip)) return throw_errno(env, "inet_ntop", errno);
  return result(env, ip, ntohs(dst.sin_port), 4);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "originalDst", NAPI_AUTO_LENGTH, original_dst, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "originalDst", fn) != napi_ok) return NULL;
  return exports;
}
