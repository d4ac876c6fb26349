/*
 * web_int.h - what the files of the web pages share (web.c: routes,
 * sessions, CSRF, the page frame; web_pages.c: the pages).  docs/web.md.
 */
#ifndef SW_SERVER_WEB_INT_H
#define SW_SERVER_WEB_INT_H

#include "server/server_int.h"
#include "server/web_html.h"

/* A logged-in browser: the session's token name and scope, and the CSRF
 * token every form of its pages carries (derived from the session id). */
struct web_sess {
	char *name, *scope;
	char hash[65];               /* SHA-256 of the session id, hex (the store's key) */
	char csrf[65];
};

struct web_ctx {
	struct srv *s;
	struct srv_req *q;           /* NULL in a streamed part (the request is gone) */
	struct srv_reply *r;
	struct web_sess *sess;       /* NULL on /login */
	struct sw_buf *b;            /* the page being written (r->body) */
};

/* The page frame: doctype, head, the navigation (with the logout form),
 * <main>; then the end.  title is escaped. */
void web_begin(struct web_ctx *w, const char *title);
void web_end(struct web_ctx *w);
/* The rest of the page is made by next(ctx, b) as the connection drains
 * (server_int.h struct srv_stream); what w->b holds is sent first. */
void web_stream(struct web_ctx *w, bool (*next)(void *ctx, struct sw_buf *b), void (*done)(void *ctx), void *ctx);
/* An HTML error page with status. */
void web_error(struct web_ctx *w, unsigned status, const char *fmt, ...) SW_PRINTF(3, 4);
/* <input type="hidden" name="csrf" value="..."> */
void web_csrf_field(struct web_ctx *w);
/* sw_html_esc into the page */
void web_esc(struct web_ctx *w, const char *s);
/* "2026-12-07 22:41 UTC" of unix time t ("-" for 0) */
void web_time(struct sw_buf *b, int64_t t);
/* "3 h ago" of unix time t */
void web_age(struct sw_buf *b, int64_t t);
/* scope rank: read 1 < scan 2 < admin 3 */
int web_scope_rank(const char *scope);

/* web_pages.c */
void web_page_images(struct web_ctx *w);
void web_page_image(struct web_ctx *w, const char *digest);
void web_page_vuln(struct web_ctx *w, const char *id);
void web_page_server(struct web_ctx *w);
void web_page_submit(struct web_ctx *w, int64_t job, const char *error);
/* the image's report or SBOM in a CLI format, as the API gives it */
void web_download(struct web_ctx *w, const char *digest, const char *format);

#endif
