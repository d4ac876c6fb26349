/*
 * web.c - the browser pages of `stowaway serve` (docs/web.md): routes,
 * login sessions, CSRF, security headers, the page frame and the embedded
 * stylesheet and script.  The pages themselves are in web_pages.c.
 *
 * Login exchanges an API token (checked like the API checks it) for a
 * session: a random 32-byte id in an HttpOnly, SameSite=Strict cookie
 * (Secure with TLS); the store keeps only SHA-256 of the id, with the
 * token's name and scope and an expiry.  Every form carries a CSRF token,
 * SHA-256("csrf" || id) for a session (the login form: a random value that
 * must equal a cookie of its own), compared in constant time.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "server/mhd.h"
#include "server/web_int.h"
#include "sw_webassets.h" /* generated from src/server/web/ */
#include "util/mem.h"

#define SESSION_COOKIE "sw_session"
#define LOGIN_COOKIE "sw_login"
#define SESSION_SECONDS (8 * 3600)

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

bool srv_web_path(const char *p)
{
	static const char *const exact[] = { "/", "/login", "/logout", "/images", "/server", "/submit" };
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(p, exact[i]) == 0)
			return true;
	return strncmp(p, "/images/", 8) == 0 || strncmp(p, "/vulnerabilities/", 17) == 0 ||
	       strncmp(p, "/static/", 8) == 0;
}

int web_scope_rank(const char *s)
{
	if (!s)
		return 0;
	return strcmp(s, "admin") == 0 ? 3 : strcmp(s, "scan") == 0 ? 2 : strcmp(s, "read") == 0 ? 1 : 0;
}

static void header(struct srv_reply *r, const char *fmt, ...) SW_PRINTF(2, 3);
static void header(struct srv_reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *h = NULL;
	if (vasprintf(&h, fmt, ap) >= 0)
		sw_vec_push(&r->headers, h);
	va_end(ap);
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * n] = 0;
}

/* hex SHA-256 of prefix || s into out[65] */
static void sha256_hex(const char *prefix, const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, prefix, strlen(prefix)) ||
	    !EVP_DigestUpdate(c, s, strlen(s)) || !EVP_DigestFinal_ex(c, md, &n))
		memset(md, 0, sizeof(md));
	EVP_MD_CTX_free(c);
	hex(md, 32, out);
}

static bool random_id(char out[65])
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return false;
	hex(b, 32, out);
	return true;
}

static bool same(const char *a, const char *b)
{
	size_t n = a ? strlen(a) : 0;
	return a && b && n == strlen(b) && n > 0 && CRYPTO_memcmp(a, b, n) == 0;
}

static const char *cookie(struct srv_req *q, const char *name)
{
	return sw_mhd->lookup_connection_value(q->c, MHD_COOKIE_KIND, name);
}

static const char *secure_attr(struct srv_req *q)
{
	return q->s->o->tls_cert ? "; Secure" : "";
}

static void redirect(struct srv_reply *r, const char *to)
{
	r->status = 303;
	r->ctype = "text/html; charset=utf-8";
	free(r->location);
	r->location = sw_xstrdup(to);
	sw_buf_reset(&r->body);
	sw_buf_addstr(&r->body, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirect</title>"
				"</head><body><p><a href=\"");
	sw_html_esc(&r->body, to);
	sw_buf_addstr(&r->body, "\">Continue</a></p></body></html>\n");
}

/* ---------------------------------------------------------------- frame */

void web_esc(struct web_ctx *w, const char *s)
{
	sw_html_esc(w->b, s);
}

void web_csrf_field(struct web_ctx *w)
{
	sw_buf_addstr(w->b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_esc(w, w->sess ? w->sess->csrf : "");
	sw_buf_addstr(w->b, "\">");
}

void web_begin(struct web_ctx *w, const char *title)
{
	struct sw_buf *b = w->b;
	w->r->status = 200;
	w->r->ctype = "text/html; charset=utf-8";
	sw_buf_reset(b);
	sw_buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	web_esc(w, title);
	sw_buf_addstr(b, " - stowaway</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
			 "<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n<header>\n"
			 "<a class=\"brand\" href=\"/images\">stowaway</a>\n");
	if (w->sess) {
		sw_buf_addstr(b, "<nav aria-label=\"Main\"><ul class=\"inline\"><li><a href=\"/images\">Images</a></li>"
				 "<li><a href=\"/server\">Database and server</a></li><li><a href=\"/submit\">Submit a scan</a>"
				 "</li></ul></nav>\n<form method=\"post\" action=\"/logout\"><span>");
		web_esc(w, w->sess->name ? w->sess->name : "token");
		sw_buf_addstr(b, " (");
		web_esc(w, w->sess->scope);
		sw_buf_addstr(b, ")</span> ");
		web_csrf_field(w);
		sw_buf_addstr(b, "<button type=\"submit\">Log out</button></form>\n");
	}
	sw_buf_addstr(b, "</header>\n<main>\n");
}

void web_stream(struct web_ctx *w, bool (*next)(void *ctx, struct sw_buf *b), void (*done)(void *ctx), void *ctx)
{
	w->r->stream = (struct srv_stream){ .next = next, .done = done, .ctx = ctx };
}

void web_end(struct web_ctx *w)
{
	sw_buf_addstr(w->b, "</main>\n</body>\n</html>\n");
}

void web_error(struct web_ctx *w, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	web_begin(w, status == 404 ? "Not found" : "Error");
	sw_buf_addstr(w->b, "<h1>");
	sw_buf_addstr(w->b, status == 404 ? "Not found" : status == 403 ? "Refused" : "Error");
	sw_buf_addstr(w->b, "</h1>\n<p class=\"error\">");
	web_esc(w, msg ? msg : "error");
	sw_buf_addstr(w->b, "</p>\n");
	web_end(w);
	w->r->status = status;
	free(msg);
}

void web_time(struct sw_buf *b, int64_t t)
{
	if (t <= 0) {
		sw_buf_addstr(b, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char s[40];
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm);
	sw_buf_addstr(b, s);
}

void web_age(struct sw_buf *b, int64_t t)
{
	int64_t d = srv_now() - t;
	if (t <= 0)
		sw_buf_addstr(b, "-");
	else if (d < 120)
		sw_buf_addf(b, "%lld s ago", (long long)(d < 0 ? 0 : d));
	else if (d < 7200)
		sw_buf_addf(b, "%lld min ago", (long long)(d / 60));
	else if (d < 2 * 86400)
		sw_buf_addf(b, "%lld h ago", (long long)(d / 3600));
	else
		sw_buf_addf(b, "%lld days ago", (long long)(d / 86400));
}

/* ---------------------------------------------------------------- login */

static void login_page(struct web_ctx *w, const char *error)
{
	char tok[65];
	if (!random_id(tok)) {
		web_error(w, 500, "no random bytes");
		return;
	}
	header(w->r, "Set-Cookie: " LOGIN_COOKIE "=%s; Path=/login; HttpOnly; SameSite=Strict%s", tok,
	       secure_attr(w->q));
	web_begin(w, "Log in");
	struct sw_buf *b = w->b;
	sw_buf_addstr(b, "<h1>Log in</h1>\n");
	if (error) {
		sw_buf_addstr(b, "<p class=\"error\" role=\"alert\">");
		web_esc(w, error);
		sw_buf_addstr(b, "</p>\n");
	}
	sw_buf_addstr(b, "<p>Enter an API token (<code>stowaway serve token create</code>). The browser keeps a session "
			 "cookie, not the token.</p>\n<form class=\"stack\" method=\"post\" action=\"/login\">\n"
			 "<label for=\"token\">API token</label>\n<input id=\"token\" name=\"token\" type=\"password\" "
			 "autocomplete=\"off\" required>\n<input type=\"hidden\" name=\"csrf\" value=\"");
	sw_buf_addstr(b, tok);
	sw_buf_addstr(b, "\">\n<button class=\"primary\" type=\"submit\">Log in</button>\n</form>\n");
	web_end(w);
}

static void login_post(struct web_ctx *w)
{
	struct srv_req *q = w->q;
	char *csrf = sw_form_get(q->body, q->body_len, "csrf");
	char *token = sw_form_get(q->body, q->body_len, "token");
	if (!same(csrf, cookie(q, LOGIN_COOKIE))) {
		free(csrf);
		if (token)
			OPENSSL_cleanse(token, strlen(token));
		free(token);
		web_error(w, 403, "the form's CSRF token is missing or wrong: reload the login page");
		return;
	}
	free(csrf);
	char *name = NULL, *scope = NULL, *ref = NULL;
	struct sw_err err = SW_ERR_INIT;
	int ok = token && *token ? sw_st_token_check_ref(q->s->store, token, &name, &scope, &ref, &err) : 0;
	if (token)
		OPENSSL_cleanse(token, strlen(token));
	free(token);
	if (ok < 0) {
		web_error(w, 500, "token check: %s", err.msg);
		return;
	}
	if (!ok) {
		login_page(w, "That token is not valid.");
		w->r->status = 401;
		return;
	}
	char id[65], hash[65];
	int64_t now = srv_now();
	if (!random_id(id)) {
		free(name);
		free(scope);
		free(ref);
		web_error(w, 500, "no random bytes");
		return;
	}
	sha256_hex("", id, hash);
	/* the session is bound to the token's row: revoking the token ends it */
	if (sw_st_session_put(q->s->store, hash, name, scope, now, now + SESSION_SECONDS, &err) < 0 ||
	    sw_st_session_bind(q->s->store, hash, ref, now, now + SESSION_SECONDS, &err) < 0) {
		free(name);
		free(scope);
		free(ref);
		web_error(w, 500, "session: %s", err.msg);
		return;
	}
	free(ref);
	q->token_name = name;  /* the request log names who logged in; freed by server.c */
	free(scope);
	header(w->r, "Set-Cookie: " SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", id,
	       SESSION_SECONDS, secure_attr(q));
	header(w->r, "Set-Cookie: " LOGIN_COOKIE "=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict%s",
	       secure_attr(q));
	OPENSSL_cleanse(id, sizeof(id));
	redirect(w->r, "/images");
}

/* 1 and *s filled for a valid session cookie, 0 when none, < 0 store error */
static int session(struct srv_req *q, struct web_sess *s, struct sw_err *err)
{
	const char *id = cookie(q, SESSION_COOKIE);
	if (!id || strlen(id) != 64)
		return 0;
	sha256_hex("", id, s->hash);
	int64_t now = srv_now();
	int k = sw_st_session_get(q->s->store, s->hash, now, &s->name, &s->scope, err);
	if (k == 1) {
		/* a session lives no longer than the token it was made with */
		int live = sw_st_session_token_live(q->s->store, s->hash, now, err);
		if (live != 1) {
			if (live == 0)
				(void)sw_st_session_delete(q->s->store, s->hash, err);
			free(s->name);
			free(s->scope);
			s->name = s->scope = NULL;
			return live;
		}
		sha256_hex("csrf", id, s->csrf);
	}
	return k;
}

static bool csrf_ok(struct web_ctx *w)
{
	char *f = sw_form_get(w->q->body, w->q->body_len, "csrf");
	bool ok = same(f, w->sess->csrf);
	free(f);
	return ok;
}

static bool form_post(struct srv_req *q)
{
	const char *ct = srv_header(q, "Content-Type");
	return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* ---------------------------------------------------------------- routes */

static void asset(struct srv_reply *r, const char *ctype, const char *text, size_t n)
{
	r->status = 200;
	r->ctype = ctype;
	sw_buf_reset(&r->body);
	sw_buf_add(&r->body, text, n);
}

static void pages(struct web_ctx *w)
{
	struct srv_req *q = w->q;
	const char *p = q->path;
	bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
	bool post = strcmp(q->method, "POST") == 0;
	if (post && (!form_post(q) || !csrf_ok(w))) {
		web_error(w, 403, "the form's CSRF token is missing or wrong: reload the page and send the form again");
		return;
	}
	if (strcmp(p, "/logout") == 0) {
		if (!post) {
			web_error(w, 405, "log out with the button at the top of every page (POST)");
			return;
		}
		struct sw_err err = SW_ERR_INIT;
		(void)sw_st_session_delete(q->s->store, w->sess->hash, &err);
		header(w->r, "Set-Cookie: " SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		       secure_attr(q));
		redirect(w->r, "/login");
		return;
	}
	if (strcmp(p, "/submit") == 0) {
		if (post) {
			char *ref = sw_form_get(q->body, q->body_len, "image");
			if (web_scope_rank(w->sess->scope) < 2) {
				web_error(w, 403, "submitting a scan needs a token with scope 'scan' (this session has '%s')",
					  w->sess->scope);
			} else if (!ref || !*ref || strlen(ref) > 2048 || strspn(ref, " ") == strlen(ref)) {
				web_page_submit(w, 0, "Give an image reference (for example registry:host/repo:tag).");
				w->r->status = 422;
			} else {
				bool ctl = false;
				for (const char *c = ref; *c; c++)
					ctl |= (unsigned char)*c < 0x20 || *c == 0x7f;
				int64_t id = 0;
				bool created;
				struct sw_err err = SW_ERR_INIT;
				if (ctl) {
					web_page_submit(w, 0, "The reference contains a control character.");
					w->r->status = 422;
				} else if (srv_submit(q->s, ref, "scan", "", NULL, NULL, &id, &created, &err) < 0) {
					web_error(w, 500, "%s", err.msg);
				} else {
					srv_wake(q->s);
					char *to = sw_xasprintf("/submit?job=%lld", (long long)id);
					redirect(w->r, to);
					free(to);
				}
			}
			free(ref);
			return;
		}
		const char *j = srv_query(q, "job");
		int64_t job = j ? strtoll(j, NULL, 10) : 0;
		web_page_submit(w, job > 0 ? job : 0, NULL);
		return;
	}
	if (!get) {
		web_error(w, 405, "%s takes GET", p);
		return;
	}
	if (strcmp(p, "/") == 0) {
		redirect(w->r, "/images");
	} else if (strcmp(p, "/images") == 0) {
		web_page_images(w);
	} else if (strncmp(p, "/images/", 8) == 0) {
		const char *rest = p + 8;
		size_t n = strcspn(rest, "/");
		char *digest = sw_xasprintf("%.*s", (int)n, rest);
		if (!rest[n])
			web_page_image(w, digest);
		else if (strcmp(rest + n, "/download") == 0)
			web_download(w, digest, srv_query(q, "format"));
		else
			web_error(w, 404, "no such page");
		free(digest);
	} else if (strncmp(p, "/vulnerabilities/", 17) == 0 && p[17] && !strchr(p + 17, '/')) {
		web_page_vuln(w, p + 17);
	} else if (strcmp(p, "/server") == 0) {
		web_page_server(w);
	} else {
		web_error(w, 404, "no such page");
	}
}

int srv_web_route(struct srv_req *q, struct srv_reply *r)
{
	if (!srv_web_path(q->path))
		return 0;
	header(r, "Content-Security-Policy: %s", CSP);
	header(r, "Referrer-Policy: no-referrer");
	header(r, "X-Frame-Options: DENY");
	struct web_ctx w = { .s = q->s, .q = q, .r = r, .b = &r->body };
	const char *p = q->path;
	bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
	if (strncmp(p, "/static/", 8) == 0) {
		if (!get)
			web_error(&w, 405, "%s takes GET", p);
		else if (strcmp(p, "/static/style.css") == 0)
			asset(r, "text/css; charset=utf-8", sw_web_css, sizeof(sw_web_css) - 1);
		else if (strcmp(p, "/static/app.js") == 0)
			asset(r, "text/javascript; charset=utf-8", sw_web_js, sizeof(sw_web_js) - 1);
		else
			web_error(&w, 404, "no such file");
		return 1;
	}
	if (strcmp(p, "/login") == 0) {
		if (strcmp(q->method, "POST") == 0)
			login_post(&w);
		else if (get)
			login_page(&w, NULL);
		else
			web_error(&w, 405, "/login takes GET or POST");
		return 1;
	}
	struct web_sess s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	int k = session(q, &s, &err);
	if (k < 0) {
		web_error(&w, 500, "session: %s", err.msg);
	} else if (k == 0) {
		redirect(r, "/login");
	} else {
		w.sess = &s;
		if (!q->token_name && s.name)
			q->token_name = sw_xstrdup(s.name);
		pages(&w);
	}
	free(s.name);
	free(s.scope);
	return 1;
}
