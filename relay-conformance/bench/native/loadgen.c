/*
 * loadgen: the native load generator of `npm run bench -- relay` (relay.ts starts it).
 *
 * Why native: the Node load generator spends ~130-150 us of CPU per relay message on the
 * same two cores as the relay (~150 us), so the bench mostly measured itself. Like wrk or
 * redis-benchmark, this client is a lean program: one thread, non-blocking sockets, epoll,
 * OpenSSL in non-blocking mode, libsodium for the SMP authenticators.
 *
 * It speaks the same bytes as relay.ts's Node load generator (the protocol steps are
 * defined, and commented, in our TypeScript modules named below):
 *   TLS 1.3, TLS_CHACHA20_POLY1305_SHA256, X25519, ALPN "smp/1", no SNI (smp-connection.ts)
 *   SMP handshake: server hello checked like handshake-client.ts (keyHash = SHA-256 of the
 *   identity certificate, signed X25519 session key, session id = tls-unique), client hello
 *   NEW with an X25519 recipient auth key, subscribed (commands.ts), IDS parsed (responses.ts)
 *   own workload: SEND -> MSG -> one block with ACK (authenticated) + the next SEND
 *
 * Control (one command per stdin line, one JSON line per command on stdout):
 *   connect tcp-echo|tls-echo <host> <port> <conns>
 *   connect smp <host> <port> <keyHash base64url> <conns> <sendBodyBytes>
 *   run <seconds>        the workload on every connection; after <seconds> no new message
 *                        starts and the reply comes when every connection is idle
 *   close                closes every connection
 *   quit
 * Build: gcc -O2 -Wall -Wextra -Werror loadgen.c -o loadgen -lssl -lcrypto -lsodium
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 16384             /* SMP_BLOCK_SIZE (block.ts) */
#define CORR_ID 24              /* CORR_ID_SIZE (transmission.ts) */
#define AUTH_LEN 80             /* X25519 authenticator: 16-byte tag + SHA-512 (crypto-box.ts) */
#define SMP_MIN 7               /* SUPPORTED_SMP_VERSIONS (version.ts) */
#define SMP_MAX 9
#define SMP_SND_AUTH_KEY 9      /* NEW's v9 layout (commands.ts) */
#define SETUP_PARALLEL 100      /* connections in handshake at once (the Node client's batches) */
#define SETUP_TIMEOUT_S 60
#define DRAIN_TIMEOUT_S 60
#define MAX_LAT (1 << 22)

static const uint8_t X25519_SPKI[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};

enum kind { K_TCP_ECHO, K_TLS_ECHO, K_SMP };
enum state { ST_TCP, ST_TLS, ST_HELLO, ST_IDS, ST_READY, ST_FAILED };

struct conn {
  int fd;
  SSL *ssl;
  enum state st;
  uint8_t in[BLOCK];
  size_t in_len;
  uint8_t out[3 * BLOCK]; /* bytes not yet accepted by the socket / SSL_write */
  size_t out_len;
  int want_out;           /* EPOLLOUT armed */
  /* SMP */
  uint8_t session_id[64];
  size_t session_id_len;
  int version;
  uint8_t rcv_sk[32], rcv_pk[32], auth_key[crypto_box_BEFORENMBYTES];
  uint8_t rid[64], sid[64];
  size_t rid_len, sid_len;
  /* workload */
  int busy;               /* a message or echo in flight */
  double sent_at;
};

static enum kind g_kind;
static struct conn *g_conns;
static int g_n;
static int g_ep;
static SSL_CTX *g_ctx;
static uint8_t g_key_hash[32];
static size_t g_body_len = 16000;
static int g_running;
static long g_count, g_errors;
static char g_first_error[256];
static double *g_lat;
static long g_lat_n;
static uint8_t g_echo_block[BLOCK];

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void error_at(struct conn *c, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  g_errors++;
  if (g_first_error[0] == 0) snprintf(g_first_error, sizeof g_first_error, "connection %ld: %s", (long)(c - g_conns), msg);
  if (c->st != ST_READY) c->st = ST_FAILED;
}

/* JSON string content: the messages here are ASCII without quotes; keep it so. */
static void json_safe(char *s) {
  for (; *s; s++)
    if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20) *s = '\'';
}

/* --- SMP encodings (port/encoding.ts, pad.ts, block.ts) ------------------------------ */

struct w {
  uint8_t *p;
  size_t n, cap;
};
static void w_bytes(struct w *w, const void *b, size_t n) {
  if (w->n + n > w->cap) {
    fprintf(stderr, "loadgen: internal: encoding overflow\n");
    exit(3);
  }
  memcpy(w->p + w->n, b, n);
  w->n += n;
}
static void w_byte(struct w *w, uint8_t b) { w_bytes(w, &b, 1); }
static void w_word16(struct w *w, size_t v) {
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  w_bytes(w, b, 2);
}
static void w_short(struct w *w, const uint8_t *b, size_t n) { w_byte(w, (uint8_t)n), w_bytes(w, b, n); }
static void w_x25519_spki(struct w *w, const uint8_t pk[32]) {
  w_byte(w, 44);
  w_bytes(w, X25519_SPKI, sizeof X25519_SPKI);
  w_bytes(w, pk, 32);
}

/* pad(m, 16384) = Word16 length || m || '#' fill */
static void pad_block(uint8_t *block, size_t content_len) {
  memset(block + 2 + content_len, '#', BLOCK - 2 - content_len);
}

struct r {
  const uint8_t *p;
  size_t n, pos;
  int bad;
};
static const uint8_t *r_take(struct r *r, size_t n) {
  if (r->bad || r->pos + n > r->n) {
    r->bad = 1;
    return NULL;
  }
  r->pos += n;
  return r->p + r->pos - n;
}
static unsigned r_byte(struct r *r) {
  const uint8_t *b = r_take(r, 1);
  return b ? b[0] : 0;
}
static unsigned r_word16(struct r *r) {
  const uint8_t *b = r_take(r, 2);
  return b ? (unsigned)(b[0] << 8 | b[1]) : 0;
}
static const uint8_t *r_short(struct r *r, size_t *n) {
  *n = r_byte(r);
  return r_take(r, *n);
}
static const uint8_t *r_large(struct r *r, size_t *n) {
  *n = r_word16(r);
  return r_take(r, *n);
}

/* The content of a padded block (pad.ts unpad). */
static int unpad(const uint8_t *block, struct r *out) {
  size_t n = (size_t)(block[0] << 8 | block[1]);
  if (n > BLOCK - 2) return -1;
  out->p = block + 2, out->n = n, out->pos = 0, out->bad = 0;
  return 0;
}

/*
 * The X25519 authenticator of a transmission (crypto-box.ts cbAuthenticate): crypto_box
 * with the precomputed key DH(server session key, our key), nonce = corrId, of
 * SHA-512(shortString(sessionId) || authorized), tag first (libsodium's "easy" layout).
 */
static void authenticate(struct conn *c, const uint8_t *authorized, size_t len, const uint8_t *corr_id, uint8_t out[AUTH_LEN]) {
  crypto_hash_sha512_state h;
  uint8_t digest[64], sid_len = (uint8_t)c->session_id_len;
  crypto_hash_sha512_init(&h);
  crypto_hash_sha512_update(&h, &sid_len, 1);
  crypto_hash_sha512_update(&h, c->session_id, c->session_id_len);
  crypto_hash_sha512_update(&h, authorized, len);
  crypto_hash_sha512_final(&h, digest);
  crypto_box_easy_afternm(out, digest, sizeof digest, corr_id, c->auth_key);
}

/*
 * Appends a transmission (transmission.ts): shortString(auth) || shortString(corrId) ||
 * shortString(entityId) || command, authenticated when `auth` is set, as Large(...) of a
 * batch, followed by body_len bytes of 'a' (a SEND's body). Returns the transmission's length.
 */
static size_t put_transmission(struct conn *c, struct w *w, int auth, const uint8_t *entity, size_t entity_len, const uint8_t *cmd, size_t cmd_len, size_t body_len) {
  uint8_t corr_id[CORR_ID];
  randombytes_buf(corr_id, sizeof corr_id);
  size_t len = 1 + (auth ? AUTH_LEN : 0) + 1 + CORR_ID + 1 + entity_len + cmd_len + body_len;
  w_word16(w, len);
  size_t auth_at = w->n;
  w_byte(w, auth ? AUTH_LEN : 0);
  if (auth) w->n += AUTH_LEN; /* filled below, once the authorized part is written */
  size_t authorized_at = w->n;
  w_short(w, corr_id, CORR_ID);
  w_short(w, entity, entity_len);
  w_bytes(w, cmd, cmd_len);
  if (body_len) {
    if (w->n + body_len > w->cap) exit(3);
    memset(w->p + w->n, 'a', body_len); /* the Node client's body: 'a' * size */
    w->n += body_len;
  }
  if (auth) authenticate(c, w->p + authorized_at, w->n - authorized_at, corr_id, w->p + auth_at + 1);
  return len;
}

/* --- socket I/O --------------------------------------------------------------------- */

static void arm(struct conn *c, int out) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  if (c->want_out != out) {
    c->want_out = out;
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
  }
}

static void close_conn(struct conn *c) {
  if (c->ssl) SSL_free(c->ssl), c->ssl = NULL;
  if (c->fd >= 0) close(c->fd), c->fd = -1;
}

/* Writes what is pending; EPOLLOUT is armed only while something waits. */
static void flush_out(struct conn *c) {
  while (c->out_len > 0) {
    ssize_t n;
    if (c->ssl) {
      int k = SSL_write(c->ssl, c->out, (int)c->out_len);
      if (k <= 0) {
        int e = SSL_get_error(c->ssl, k);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return arm(c, 1);
        return error_at(c, "TLS write failed (%d)", e);
      }
      n = k;
    } else {
      n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) return arm(c, 1);
        return error_at(c, "write: %s", strerror(errno));
      }
    }
    memmove(c->out, c->out + n, c->out_len - (size_t)n);
    c->out_len -= (size_t)n;
  }
  arm(c, 0);
}

static uint8_t *out_block(struct conn *c) {
  if (c->out_len + BLOCK > sizeof c->out) {
    error_at(c, "more than 3 blocks waiting to be written");
    return NULL;
  }
  c->out_len += BLOCK;
  return c->out + c->out_len - BLOCK;
}

/* --- SMP handshake and queue (handshake-client.ts, client.ts) -------------------------- */

/* The X25519 key inside the DER of an X.509 signed object, verified with the leaf key. */
static int signed_session_key(const uint8_t *der, size_t len, EVP_PKEY *leaf, uint8_t key[32]) {
  /* SEQUENCE { tbs (here an X25519 SPKI), AlgorithmIdentifier, BIT STRING signature } */
  const uint8_t *p = der, *end = der + len;
  long n;
  int tag, cls;
  if (ASN1_get_object(&p, &n, &tag, &cls, (long)len) & 0x80 || tag != V_ASN1_SEQUENCE) return -1;
  const uint8_t *tbs = p;
  if (ASN1_get_object(&p, &n, &tag, &cls, end - p) & 0x80 || tag != V_ASN1_SEQUENCE) return -1;
  p += n;
  size_t tbs_len = (size_t)(p - tbs);
  if (ASN1_get_object(&p, &n, &tag, &cls, end - p) & 0x80 || tag != V_ASN1_SEQUENCE) return -1;
  p += n;
  if (ASN1_get_object(&p, &n, &tag, &cls, end - p) & 0x80 || tag != V_ASN1_BIT_STRING || n < 1 || p[0] != 0) return -1;
  const uint8_t *sig = p + 1;
  size_t sig_len = (size_t)n - 1;
  if (tbs_len != 44 || memcmp(tbs, X25519_SPKI, sizeof X25519_SPKI) != 0) return -1;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, leaf) == 1 && EVP_DigestVerify(md, sig, sig_len, tbs, tbs_len) == 1;
  EVP_MD_CTX_free(md);
  if (!ok) return -2;
  memcpy(key, tbs + 12, 32);
  return 0;
}

static void send_new(struct conn *c) {
  uint8_t cmd[200], dh_sk[32], dh_pk[32];
  struct w cw = {cmd, 0, sizeof cmd};
  randombytes_buf(dh_sk, 32);
  crypto_scalarmult_base(dh_pk, dh_sk);
  w_bytes(&cw, "NEW ", 4);
  w_x25519_spki(&cw, c->rcv_pk);
  w_x25519_spki(&cw, dh_pk);
  if (c->version >= SMP_SND_AUTH_KEY) w_bytes(&cw, "0SF", 3); /* no basic auth, subscribe, not sender-secured */
  else w_byte(&cw, 'S');
  uint8_t *b = out_block(c);
  if (!b) return;
  struct w w = {b, 2, BLOCK};
  w_byte(&w, 1);
  put_transmission(c, &w, 1, c->rid, 0, cmd, cw.n, 0); /* no entity yet */
  b[0] = (uint8_t)((w.n - 2) >> 8), b[1] = (uint8_t)(w.n - 2);
  pad_block(b, w.n - 2);
  c->st = ST_IDS;
  flush_out(c);
}

static void on_server_hello(struct conn *c) {
  struct r r;
  size_t sid_len, n_certs, der_len, key_len;
  if (unpad(c->in, &r)) return error_at(c, "bad server hello block");
  unsigned vmin = r_word16(&r), vmax = r_word16(&r);
  const uint8_t *sid = r_short(&r, &sid_len);
  n_certs = r_byte(&r);
  if (r.bad || !sid || n_certs < 1 || n_certs > 4) return error_at(c, "bad server hello (no certificate chain: SMP v7+ expected)");
  const uint8_t *certs[4];
  size_t cert_lens[4];
  for (size_t i = 0; i < n_certs; i++) certs[i] = r_large(&r, &cert_lens[i]);
  const uint8_t *signed_key = r_large(&r, &key_len);
  if (r.bad) return error_at(c, "bad server hello");
  /* session id = tls-unique = the client's Finished message */
  uint8_t fin[64];
  size_t fin_len = SSL_get_finished(c->ssl, fin, sizeof fin);
  if (fin_len != sid_len || memcmp(fin, sid, sid_len) != 0) return error_at(c, "session id is not tls-unique");
  /* the chain in the hello is the TLS chain; keyHash = SHA-256 of the identity (last) certificate */
  STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c->ssl);
  if (!chain || (size_t)sk_X509_num(chain) != n_certs) return error_at(c, "hello and TLS certificate chains differ");
  for (size_t i = 0; i < n_certs; i++) {
    uint8_t *der = NULL;
    int dl = i2d_X509(sk_X509_value(chain, (int)i), &der);
    int same = dl > 0 && (size_t)dl == cert_lens[i] && memcmp(der, certs[i], cert_lens[i]) == 0;
    OPENSSL_free(der);
    if (!same) return error_at(c, "hello and TLS certificate chains differ");
  }
  uint8_t h[32];
  der_len = cert_lens[n_certs - 1];
  crypto_hash_sha256(h, certs[n_certs - 1], der_len);
  if (memcmp(h, g_key_hash, 32) != 0) return error_at(c, "identity certificate does not match the address's key hash");
  EVP_PKEY *leaf = X509_get0_pubkey(sk_X509_value(chain, 0));
  int k = leaf ? signed_session_key(signed_key, key_len, leaf, c->auth_key) : -1;
  if (k == -2) return error_at(c, "session key signature does not verify");
  if (k != 0) return error_at(c, "unparsable signed session key");
  /* the recipient's X25519 auth key; box key = DH(server session key, recipient key) */
  uint8_t server_dh[32];
  memcpy(server_dh, c->auth_key, 32);
  randombytes_buf(c->rcv_sk, 32);
  crypto_scalarmult_base(c->rcv_pk, c->rcv_sk);
  if (crypto_box_beforenm(c->auth_key, server_dh, c->rcv_sk) != 0) return error_at(c, "X25519 with the session key failed");
  unsigned v = vmax < SMP_MAX ? vmax : SMP_MAX;
  if (v < SMP_MIN || v < vmin) return error_at(c, "no common SMP version (server %u-%u)", vmin, vmax);
  c->version = (int)v;
  memcpy(c->session_id, sid, sid_len);
  c->session_id_len = sid_len;
  /* client hello: Word16 version || shortString(keyHash), padded (handshake.ts) */
  uint8_t *b = out_block(c);
  if (!b) return;
  struct w w = {b, 2, BLOCK};
  w_word16(&w, v);
  w_short(&w, g_key_hash, 32);
  b[0] = (uint8_t)((w.n - 2) >> 8), b[1] = (uint8_t)(w.n - 2);
  pad_block(b, w.n - 2);
  flush_out(c);
  /* then NEW, authorized by the X25519 recipient key */
  send_new(c);
}

/* Each transmission of a received block: calls f with (corrId-less) command bytes. */
static int for_each_transmission(struct conn *c, void (*f)(struct conn *, const uint8_t *, size_t, const uint8_t *, size_t)) {
  struct r r, t;
  if (unpad(c->in, &r)) return -1;
  unsigned count = r_byte(&r);
  if (count == 0) return -1;
  for (unsigned i = 0; i < count; i++) {
    size_t len, n;
    const uint8_t *raw = r_large(&r, &len);
    if (!raw) return -1;
    t.p = raw, t.n = len, t.pos = 0, t.bad = 0;
    r_short(&t, &n); /* auth */
    r_short(&t, &n); /* corrId */
    size_t entity_len;
    const uint8_t *entity = r_short(&t, &entity_len);
    if (t.bad) return -1;
    f(c, raw + t.pos, len - t.pos, entity, entity_len);
  }
  return 0;
}

static void on_ids(struct conn *c, const uint8_t *cmd, size_t len, const uint8_t *entity, size_t entity_len) {
  (void)entity, (void)entity_len;
  struct r r = {cmd, len, 0, 0};
  const uint8_t *tag = r_take(&r, 4);
  if (!tag || memcmp(tag, "IDS ", 4) != 0) return error_at(c, "NEW answered with %.*s", (int)(len < 12 ? len : 12), (const char *)cmd);
  size_t rl, sl;
  const uint8_t *rid = r_short(&r, &rl), *sid = r_short(&r, &sl);
  if (r.bad || rl > sizeof c->rid || sl > sizeof c->sid) return error_at(c, "bad IDS");
  memcpy(c->rid, rid, rl), c->rid_len = rl;
  memcpy(c->sid, sid, sl), c->sid_len = sl;
  c->st = ST_READY;
}

/* --- workloads ----------------------------------------------------------------------- */

static void send_message(struct conn *c, const uint8_t *ack_msg_id, size_t ack_len, int with_send) {
  uint8_t *b = out_block(c);
  if (!b) return;
  struct w w = {b, 2, BLOCK};
  w_byte(&w, (uint8_t)((ack_msg_id ? 1 : 0) + (with_send ? 1 : 0)));
  if (ack_msg_id) {
    uint8_t cmd[4 + 1 + 64];
    struct w cw = {cmd, 0, sizeof cmd};
    w_bytes(&cw, "ACK ", 4);
    w_short(&cw, ack_msg_id, ack_len);
    put_transmission(c, &w, 1, c->rid, c->rid_len, cmd, cw.n, 0);
  }
  if (with_send) put_transmission(c, &w, 0, c->sid, c->sid_len, (const uint8_t *)"SEND F ", 7, g_body_len);
  b[0] = (uint8_t)((w.n - 2) >> 8), b[1] = (uint8_t)(w.n - 2);
  pad_block(b, w.n - 2);
  if (with_send) c->sent_at = now_s(), c->busy = 1;
  flush_out(c);
}

static void on_response(struct conn *c, const uint8_t *cmd, size_t len, const uint8_t *entity, size_t entity_len) {
  (void)entity, (void)entity_len;
  if (len >= 2 && cmd[0] == 'O' && cmd[1] == 'K') return;
  if (len < 5 || memcmp(cmd, "MSG ", 4) != 0) return error_at(c, "unexpected response %.*s", (int)(len < 24 ? len : 24), (const char *)cmd);
  size_t id_len = cmd[4];
  if (5 + id_len > len || id_len > 64) return error_at(c, "bad MSG");
  uint8_t msg_id[64];
  memcpy(msg_id, cmd + 5, id_len); /* the reply is written over the input's neighbour; copy first */
  if (g_running) {
    g_count++;
    if (g_lat_n < MAX_LAT) g_lat[g_lat_n++] = (now_s() - c->sent_at) * 1000.0;
  }
  c->busy = 0;
  send_message(c, msg_id, id_len, g_running);
}

static void on_block(struct conn *c) {
  switch (c->st) {
    case ST_HELLO:
      return on_server_hello(c);
    case ST_IDS:
      if (for_each_transmission(c, on_ids) != 0) error_at(c, "unparsable block");
      return;
    case ST_READY:
      if (g_kind != K_SMP) {
        if (g_running) {
          g_count++;
          if (g_lat_n < MAX_LAT) g_lat[g_lat_n++] = (now_s() - c->sent_at) * 1000.0;
          c->sent_at = now_s();
          uint8_t *b = out_block(c);
          if (b) memcpy(b, g_echo_block, BLOCK), flush_out(c);
        } else {
          c->busy = 0;
        }
        return;
      }
      if (for_each_transmission(c, on_response) != 0) error_at(c, "unparsable block");
      return;
    default:
      return;
  }
}

static void on_readable(struct conn *c) {
  for (;;) {
    ssize_t n;
    if (c->ssl) {
      int k = SSL_read(c->ssl, c->in + c->in_len, (int)(BLOCK - c->in_len));
      if (k <= 0) {
        int e = SSL_get_error(c->ssl, k);
        if (e == SSL_ERROR_WANT_READ) return;
        if (e == SSL_ERROR_WANT_WRITE) return arm(c, 1);
        return error_at(c, e == SSL_ERROR_ZERO_RETURN ? "closed by the server" : "TLS read failed (%d)", e);
      }
      n = k;
    } else {
      n = recv(c->fd, c->in + c->in_len, BLOCK - c->in_len, 0);
      if (n < 0) {
        if (errno == EAGAIN) return;
        return error_at(c, "read: %s", strerror(errno));
      }
      if (n == 0) return error_at(c, "closed by the server");
    }
    c->in_len += (size_t)n;
    if (c->in_len == BLOCK) {
      c->in_len = 0;
      on_block(c);
      if (c->st == ST_FAILED) return;
    }
  }
}

static void tls_step(struct conn *c) {
  int k = SSL_connect(c->ssl);
  if (k == 1) {
    c->st = g_kind == K_SMP ? ST_HELLO : ST_READY;
    arm(c, 0);
    return on_readable(c);
  }
  int e = SSL_get_error(c->ssl, k);
  if (e == SSL_ERROR_WANT_READ) return arm(c, 0);
  if (e == SSL_ERROR_WANT_WRITE) return arm(c, 1);
  char buf[120];
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  error_at(c, "TLS handshake failed: %s", buf);
}

static void on_event(struct conn *c, uint32_t ev) {
  if (c->st == ST_FAILED) return;
  if (c->st == ST_TCP) {
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) return error_at(c, "connect: %s", strerror(err));
    if (g_kind == K_TCP_ECHO) {
      c->st = ST_READY;
      return arm(c, 0);
    }
    c->ssl = SSL_new(g_ctx);
    SSL_set_fd(c->ssl, c->fd);
    c->st = ST_TLS;
  }
  if (c->st == ST_TLS) return tls_step(c);
  if ((ev & EPOLLOUT) && c->out_len) flush_out(c);
  if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
  else if (c->ssl && SSL_pending(c->ssl)) on_readable(c);
}

static int poll_once(int timeout_ms) {
  struct epoll_event evs[256];
  int n = epoll_wait(g_ep, evs, 256, timeout_ms);
  for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events);
  return n;
}

/* --- commands ------------------------------------------------------------------------- */

static void reply_error(const char *what) {
  char s[300];
  snprintf(s, sizeof s, "%s", what);
  json_safe(s);
  printf("{\"error\":\"%s\"}\n", s);
  fflush(stdout);
}

static int start_connect(struct conn *c, struct sockaddr_in *addr) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) return -1;
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(c->fd, (struct sockaddr *)addr, sizeof *addr) != 0 && errno != EINPROGRESS) return -1;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  c->want_out = 1;
  return epoll_ctl(g_ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void close_all(void) {
  for (int i = 0; i < g_n; i++) close_conn(&g_conns[i]);
  free(g_conns);
  g_conns = NULL;
  g_n = 0;
}

/* base64url with or without '=' padding (smp:// addresses carry it) */
static int b64url_decode(const char *s, uint8_t *out, size_t cap, size_t *len) {
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '=') n--;
  return sodium_base642bin(out, cap, s, n, NULL, len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void cmd_connect(char *args) {
  char kind[16], host[64], extra[128] = "";
  int port, n;
  long body = 16000;
  int got = sscanf(args, "%15s %63s %d %127s %d %ld", kind, host, &port, extra, &n, &body);
  if (strcmp(kind, "smp") == 0) {
    size_t len;
    if (got < 5 || b64url_decode(extra, g_key_hash, sizeof g_key_hash, &len) != 0 || len != 32) return reply_error("usage: connect smp <host> <port> <keyHash base64url, 32 bytes> <conns> [body bytes]");
    if (body < 1 || body > 16100) return reply_error("body bytes must be 1..16100");
    g_kind = K_SMP, g_body_len = (size_t)body;
  } else if (strcmp(kind, "tcp-echo") == 0 || strcmp(kind, "tls-echo") == 0) {
    if (got < 4 || sscanf(extra, "%d", &n) != 1) return reply_error("usage: connect tcp-echo|tls-echo <host> <port> <conns>");
    g_kind = strcmp(kind, "tcp-echo") == 0 ? K_TCP_ECHO : K_TLS_ECHO;
  } else {
    return reply_error("connect: kind must be smp, tcp-echo or tls-echo");
  }
  if (n < 1 || n > 100000 || port < 1 || port > 65535) return reply_error("connect: bad port or connection count");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return reply_error("connect: host must be an IPv4 address");
  close_all();
  g_conns = calloc((size_t)n, sizeof *g_conns);
  if (!g_conns) return reply_error("out of memory");
  g_n = n;
  g_errors = 0, g_first_error[0] = 0;
  double start = now_s();
  int started = 0;
  for (int i = 0; i < n; i++) g_conns[i].fd = -1;
  for (;;) {
    int pending = 0, ready = 0, failed = 0;
    for (int i = 0; i < started; i++) {
      enum state s = g_conns[i].st;
      if (s == ST_READY) ready++;
      else if (s == ST_FAILED) failed++;
      else pending++;
    }
    if (failed) break;
    while (started < n && pending < SETUP_PARALLEL) {
      struct conn *c = &g_conns[started++];
      c->st = ST_TCP;
      if (start_connect(c, &addr) != 0) {
        error_at(c, "connect: %s", strerror(errno));
        break;
      }
      pending++;
    }
    if (ready == n) break;
    if (now_s() - start > SETUP_TIMEOUT_S) {
      snprintf(g_first_error, sizeof g_first_error, "set-up not done within %d s (%d of %d ready)", SETUP_TIMEOUT_S, ready, n);
      break;
    }
    poll_once(100);
  }
  int ready = 0;
  for (int i = 0; i < n; i++) ready += g_conns[i].st == ST_READY;
  if (ready != n) {
    char msg[300];
    snprintf(msg, sizeof msg, "%d of %d connections set up; first failure: %s", ready, n, g_first_error);
    close_all();
    return reply_error(msg);
  }
  printf("{\"ok\":true,\"conns\":%d,\"setupMs\":%.1f,\"version\":%d,\"tls\":\"%s\"}\n", n, (now_s() - start) * 1000, g_conns[0].version,
         g_conns[0].ssl ? SSL_CIPHER_get_name(SSL_get_current_cipher(g_conns[0].ssl)) : "");
  fflush(stdout);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double cpu_us(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static void cmd_run(char *args) {
  double seconds = atof(args);
  if (!(seconds > 0 && seconds <= 3600)) return reply_error("usage: run <seconds>");
  if (g_n == 0) return reply_error("run: not connected");
  g_count = 0, g_errors = 0, g_lat_n = 0, g_first_error[0] = 0, g_running = 1;
  double start = now_s(), cpu0 = cpu_us();
  for (int i = 0; i < g_n; i++) {
    struct conn *c = &g_conns[i];
    c->busy = 1, c->sent_at = start;
    if (g_kind == K_SMP) send_message(c, NULL, 0, 1);
    else {
      uint8_t *b = out_block(c);
      if (b) memcpy(b, g_echo_block, BLOCK), flush_out(c);
    }
  }
  while (now_s() - start < seconds) poll_once(20);
  double elapsed = now_s() - start, cpu = cpu_us() - cpu0;
  long count = g_count;
  g_running = 0;
  /* drain: every connection finishes its message (ACKs it) before the next command */
  double drain = now_s();
  for (;;) {
    int busy = 0;
    for (int i = 0; i < g_n; i++) busy += g_conns[i].busy && g_conns[i].st == ST_READY;
    if (busy == 0) break;
    if (now_s() - drain > DRAIN_TIMEOUT_S) {
      snprintf(g_first_error, sizeof g_first_error, "%d connections still busy %d s after the period", busy, DRAIN_TIMEOUT_S);
      g_errors++;
      break;
    }
    poll_once(20);
  }
  double drained = now_s() - drain;
  qsort(g_lat, (size_t)g_lat_n, sizeof *g_lat, cmp_double);
  double p50 = g_lat_n ? g_lat[g_lat_n / 2] : 0, p99 = g_lat_n ? g_lat[(long)(g_lat_n * 0.99)] : 0;
  json_safe(g_first_error);
  printf("{\"count\":%ld,\"elapsedS\":%.3f,\"drainS\":%.3f,\"rate\":%.1f,\"p50Ms\":%.2f,\"p99Ms\":%.2f,\"cpuUs\":%.0f,\"cpuUsPer\":%.2f,\"errors\":%ld,\"firstError\":\"%s\"}\n", count, elapsed, drained,
         count / elapsed, p50, p99, cpu, count ? cpu / count : 0, g_errors, g_first_error);
  fflush(stdout);
}

int main(void) {
  if (sodium_init() < 0) return fprintf(stderr, "loadgen: libsodium failed to initialise\n"), 1;
  /* thousands of sockets: the soft descriptor limit (often 1,024) up to the hard one */
  struct rlimit nofile;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
  g_ep = epoll_create1(0);
  g_lat = malloc(sizeof *g_lat * MAX_LAT);
  g_ctx = SSL_CTX_new(TLS_client_method());
  if (g_ep < 0 || !g_lat || !g_ctx) return fprintf(stderr, "loadgen: cannot initialise\n"), 1;
  /* the relay's suite, group and signature algorithms (smp-connection.ts, smp-server.ts) */
  SSL_CTX_set_min_proto_version(g_ctx, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(g_ctx, "TLS_CHACHA20_POLY1305_SHA256");
  SSL_CTX_set1_groups_list(g_ctx, "X25519");
  SSL_CTX_set1_sigalgs_list(g_ctx, "ed25519:ed448");
  SSL_CTX_set_alpn_protos(g_ctx, (const unsigned char *)"\x05smp/1", 6);
  /* the relay's certificates are not from a web CA: the SMP handshake checks them */
  SSL_CTX_set_verify(g_ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_mode(g_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  memset(g_echo_block, 0x23, BLOCK);
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    char *arg = strchr(line, ' ');
    if (arg) *arg++ = 0;
    else arg = line + strlen(line);
    if (strcmp(line, "connect") == 0) cmd_connect(arg);
    else if (strcmp(line, "run") == 0) cmd_run(arg);
    else if (strcmp(line, "close") == 0) close_all(), printf("{\"ok\":true}\n"), fflush(stdout);
    else if (strcmp(line, "quit") == 0) break;
    else reply_error("unknown command (connect, run, close, quit)");
  }
  close_all();
  SSL_CTX_free(g_ctx);
  return 0;
}
