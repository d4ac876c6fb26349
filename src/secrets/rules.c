/*
 * rules.c - the built-in secret rules and default allow list (rules.h).
 * Every rule's format source is in docs/secrets.md; keep the two in step.
 */
#include "secrets/rules.h"

/* boundaries: a token does not start or end inside a longer word */
#define B "(?<![A-Za-z0-9])"
#define E "(?![A-Za-z0-9])"
#define E_ "(?![A-Za-z0-9_-])"
/* NAME = VALUE / NAME: VALUE, after the name's keyword */
#define ASSIGN "[A-Za-z0-9_.-]{0,20}+[\"']?[ \\t]*(?::=|=>|=|:)[ \\t]*[\"']?"
/* a PEM-style armour body: line ends (real or JSON "\n"), optional header
 * lines (Proc-Type, DEK-Info, Version), then the first 64 base64 characters */
#define NL "(?:\\r?\\n|\\\\n)"
#define PEM_BODY                                                          \
	"(?:[ \\t]*" NL ")+(?:[A-Za-z-]{1,40}:[^\\r\\n\\\\]{0,200}" NL \
	")*(?:[ \\t]*" NL ")*(?<secret>(?:[A-Za-z0-9+/=]|" NL "){64})"

#define TOKEN(id_, cat, title_, sev, kw, re, keep_)                                    \
	{ .id = id_, .category = cat, .title = title_, .severity = sev, .keywords = kw, \
	  .regex = re, .after = 256, .keep = keep_ }
#define PRIVKEY(id_, title_, sev, label, kw)                                               \
	{ .id = id_, .category = "PrivateKey", .title = title_, .severity = sev, .keywords = kw, \
	  .regex = "-----BEGIN " label "-----" PEM_BODY, .before = 11, .after = 640 }
#define FILERULE(id_, cat, title_, kw, re, path_)                                            \
	{ .id = id_, .category = cat, .title = title_, .severity = SW_SEV_HIGH, .keywords = kw, \
	  .regex = re, .path = path_, .after = 600, .priority = 1 }
/* a NAME containing VENDOR and KEY|TOKEN|SECRET, assigned VALUE */
#define CONTEXT(vendor, value) \
	"(?i:" vendor ")[A-Za-z0-9_.-]{0,30}?(?i:key|token|secret)" ASSIGN "(?<secret>" value ")"

const struct sw_secret_rule_def sw_secret_builtin_rules[] = {
	/* AWS */
	TOKEN("aws-access-key-id", "AWS", "AWS access key ID", SW_SEV_CRITICAL, "akia|asia|abia|acca",
	      B "(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})" E, 4),
	{ .id = "aws-secret-access-key", .category = "AWS", .title = "AWS secret access key",
	  .severity = SW_SEV_CRITICAL, .keywords = "aws",
	  .regex = "(?i:aws)[A-Za-z0-9_.-]{0,20}?(?i:secret|sk)" ASSIGN
		   "(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
	  .after = 128 },
	/* Google Cloud */
	{ .id = "gcp-service-account-key", .category = "GCP",
	  .title = "GCP service account key (JSON key file)", .severity = SW_SEV_CRITICAL,
	  .keywords = "private_key_id",
	  .regex = "\"private_key_id\"[ \\t\\r\\n]*:[ \\t\\r\\n]*\"(?<secret>[0-9a-f]{40})\"", .before = 1,
	  .after = 80 },
	TOKEN("gcp-api-key", "GCP", "Google API key", SW_SEV_HIGH, "aiza",
	      B "(?<secret>AIza[0-9A-Za-z_-]{35})" E_, 4),
	/* Azure */
	{ .id = "azure-storage-account-key", .category = "Azure",
	  .title = "Azure storage account key (connection string)", .severity = SW_SEV_CRITICAL,
	  .keywords = "accountkey=", .regex = "(?i:AccountKey)=(?<secret>[A-Za-z0-9+/]{86}==)", .after = 100 },
	{ .id = "azure-sas-token", .category = "Azure", .title = "Azure shared access signature (SAS)",
	  .severity = SW_SEV_HIGH, .keywords = "sig=",
	  .regex = "(?<=[?&])sig=(?<secret>(?:[A-Za-z0-9+/]|%2[BbFf]){42,43}(?:=|%3[Dd]))(?![A-Za-z0-9%])",
	  .after = 140 },
	/* GitHub */
	TOKEN("github-pat", "GitHub", "GitHub personal access token (classic)", SW_SEV_CRITICAL, "ghp_",
	      B "(?<secret>ghp_[A-Za-z0-9]{36})" E, 4),
	TOKEN("github-oauth", "GitHub", "GitHub OAuth access token", SW_SEV_CRITICAL, "gho_",
	      B "(?<secret>gho_[A-Za-z0-9]{36})" E, 4),
	TOKEN("github-user-to-server", "GitHub", "GitHub App user-to-server token", SW_SEV_CRITICAL, "ghu_",
	      B "(?<secret>ghu_[A-Za-z0-9]{36})" E, 4),
	TOKEN("github-server-to-server", "GitHub", "GitHub App installation token", SW_SEV_CRITICAL, "ghs_",
	      B "(?<secret>ghs_[A-Za-z0-9]{36})" E, 4),
	TOKEN("github-refresh-token", "GitHub", "GitHub App refresh token", SW_SEV_CRITICAL, "ghr_",
	      B "(?<secret>ghr_[A-Za-z0-9]{36})" E, 4),
	TOKEN("github-fine-grained-pat", "GitHub", "GitHub fine-grained personal access token",
	      SW_SEV_CRITICAL, "github_pat_", B "(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" E, 11),
	/* GitLab */
	TOKEN("gitlab-pat", "GitLab", "GitLab personal access token", SW_SEV_CRITICAL, "glpat-",
	      B "(?<secret>glpat-[A-Za-z0-9_-]{20,64}+)" E_, 6),
	TOKEN("gitlab-token", "GitLab", "GitLab token (deploy, runner, CI job, OAuth, feed, agent...)",
	      SW_SEV_HIGH, "gldt-|glrt-|glcbt-|gloas-|glsoat-|glffct-|glagent-|glimt-|glft-",
	      B "(?<secret>(?:gldt|glrt|glcbt|gloas|glsoat|glffct|glagent|glimt|glft)-[A-Za-z0-9_-]{20,64}+)" E_, 4),
	TOKEN("gitlab-pipeline-trigger-token", "GitLab", "GitLab pipeline trigger token", SW_SEV_HIGH,
	      "glptt-", B "(?<secret>glptt-[0-9a-f]{40})" E, 6),
	TOKEN("gitlab-runner-registration-token", "GitLab", "GitLab runner registration token",
	      SW_SEV_HIGH, "gr1348941", B "(?<secret>GR1348941[A-Za-z0-9_-]{20})" E_, 9),
	/* Slack */
	TOKEN("slack-token", "Slack", "Slack token", SW_SEV_HIGH,
	      "xoxb-|xoxp-|xoxa-|xoxo-|xoxs-|xoxr-|xoxe-|xoxe.",
	      B "(?<secret>xox(?:[abposr]|e(?:\\.xox[bp])?)-[0-9]{1,16}-[0-9A-Za-z-]{8,250}+)" E, 5),
	{ .id = "slack-webhook-url", .category = "Slack", .title = "Slack incoming webhook URL",
	  .severity = SW_SEV_HIGH, .keywords = "hooks.slack.com",
	  .regex = "hooks\\.slack\\.com/(?<secret>(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,200}+)",
	  .after = 220 },
	/* Stripe */
	TOKEN("stripe-secret-key", "Stripe", "Stripe live secret or restricted key", SW_SEV_CRITICAL,
	      "sk_live_|rk_live_", B "(?<secret>[sr]k_live_[0-9A-Za-z]{20,247}+)" E, 8),
	/* package registries */
	TOKEN("npm-access-token", "npm", "npm access token", SW_SEV_CRITICAL, "npm_",
	      B "(?<secret>npm_[A-Za-z0-9]{36})" E, 4),
	TOKEN("pypi-upload-token", "PyPI", "PyPI API token", SW_SEV_CRITICAL, "pypi-ageichlwas5vcmc",
	      B "(?<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}+)" E_, 5),
	TOKEN("rubygems-api-key", "RubyGems", "RubyGems API key", SW_SEV_CRITICAL, "rubygems_",
	      B "(?<secret>rubygems_[0-9a-f]{48})" E, 9),
	TOKEN("dockerhub-access-token", "Docker", "Docker Hub personal or organization access token",
	      SW_SEV_CRITICAL, "dckr_pat_|dckr_oat_", B "(?<secret>dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}+)" E_, 9),
	/* AI providers */
	TOKEN("huggingface-token", "HuggingFace", "Hugging Face access token", SW_SEV_HIGH, "hf_",
	      B "(?<secret>hf_[A-Za-z]{34})" E, 3),
	{ .id = "openai-api-key", .category = "OpenAI", .title = "OpenAI API key", .severity = SW_SEV_HIGH,
	  .keywords = "t3blbkfj",
	  .regex = B "(?<secret>sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{16,180}?T3BlbkFJ[A-Za-z0-9_-]{16,180}+)" E_,
	  .before = 200, .after = 200, .keep = 3 },
	TOKEN("anthropic-api-key", "Anthropic", "Anthropic API key", SW_SEV_HIGH, "sk-ant-",
	      B "(?<secret>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,120}+)" E_, 7),
	/* messaging and platforms */
	TOKEN("sendgrid-api-key", "SendGrid", "SendGrid API key", SW_SEV_HIGH, "sg.",
	      B "(?<secret>SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})" E_, 3),
	{ .id = "twilio-auth-token", .category = "Twilio", .title = "Twilio auth token or API key secret",
	  .severity = SW_SEV_HIGH, .keywords = "twilio",
	  .regex = CONTEXT("twilio", "[A-Za-z0-9]{32}") E, .after = 160 },
	TOKEN("mailgun-api-key", "Mailgun", "Mailgun API key", SW_SEV_HIGH, "key-",
	      B "(?<secret>key-[0-9a-f]{32})" E, 4),
	{ .id = "mailgun-api-key-context", .category = "Mailgun", .title = "Mailgun API key",
	  .severity = SW_SEV_HIGH, .keywords = "mailgun",
	  .regex = CONTEXT("mailgun", "[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}") E, .after = 160 },
	TOKEN("shopify-token", "Shopify", "Shopify access token or shared secret", SW_SEV_HIGH,
	      "shpat_|shpca_|shppa_|shpss_", B "(?<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})" E, 6),
	{ .id = "heroku-api-key", .category = "Heroku", .title = "Heroku API key", .severity = SW_SEV_HIGH,
	  .keywords = "heroku",
	  .regex = CONTEXT("heroku", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}") E,
	  .after = 160 },
	TOKEN("heroku-platform-token", "Heroku", "Heroku platform API token", SW_SEV_HIGH, "hrku-",
	      B "(?<secret>HRKU-[A-Za-z0-9_-]{58,64}+)" E_, 5),
	/* JSON Web Tokens */
	{ .id = "jwt", .category = "JWT", .title = "JSON Web Token", .severity = SW_SEV_MEDIUM, .keywords = "eyj",
	  .regex = B "(?<secret>eyJ[A-Za-z0-9_-]{8,2000}+\\.eyJ[A-Za-z0-9_-]{8,4000}+\\.[A-Za-z0-9_-]{16,1000}+)" E_,
	  .after = 7100, .keep = 3 },
	/* database URLs */
	{ .id = "database-url-password", .category = "Database", .title = "Database URL with a password",
	  .severity = SW_SEV_HIGH, .keywords = "postgres|mysql|mariadb|mongodb|redis|amqp|mssql|sqlserver",
	  .regex = "(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver)://"
		   "[^:/\\s@\"'<>]{0,128}+:(?<secret>[^@/\\s\"'<>]{3,256}+)@[A-Za-z0-9._-]{1,253}",
	  .after = 420 },
	/* private keys */
	PRIVKEY("rsa-private-key", "RSA private key (PEM)", SW_SEV_CRITICAL, "RSA PRIVATE KEY",
		"begin rsa private key"),
	PRIVKEY("ec-private-key", "EC private key (PEM)", SW_SEV_CRITICAL, "EC PRIVATE KEY",
		"begin ec private key"),
	PRIVKEY("dsa-private-key", "DSA private key (PEM)", SW_SEV_CRITICAL, "DSA PRIVATE KEY",
		"begin dsa private key"),
	PRIVKEY("openssh-private-key", "OpenSSH private key", SW_SEV_CRITICAL, "OPENSSH PRIVATE KEY",
		"begin openssh private key"),
	PRIVKEY("pgp-private-key", "PGP private key block", SW_SEV_CRITICAL, "PGP PRIVATE KEY BLOCK",
		"begin pgp private key block"),
	PRIVKEY("pkcs8-private-key", "PKCS#8 private key", SW_SEV_CRITICAL, "PRIVATE KEY",
		"begin private key"),
	PRIVKEY("pkcs8-encrypted-private-key", "PKCS#8 encrypted private key", SW_SEV_HIGH,
		"ENCRYPTED PRIVATE KEY", "begin encrypted private key"),
	/* credential files, by name */
	FILERULE("npmrc-auth", "npm", "npm registry credential in .npmrc", "_authtoken|_auth|_password",
		 "(?:_authToken|_auth|_password)[ \\t]*=[ \\t]*[\"']?(?<secret>[^\\s\"']{6,512}+)",
		 "(?:^|/)\\.npmrc$"),
	FILERULE("pypirc-password", "PyPI", "package index password in .pypirc", "password",
		 "password[ \\t]*[:=][ \\t]*(?<secret>[^\\s]{4,512}+)", "(?:^|/)\\.pypirc$"),
	FILERULE("netrc-password", "netrc", "password in .netrc", "password",
		 "password[ \\t]+(?<secret>[^\\s]{1,512}+)", "(?:^|/)[._]netrc$"),
	FILERULE("git-credentials", "Git", "credential in .git-credentials", "://",
		 "(?<=[A-Za-z])://[^:/\\s@]{1,256}+:(?<secret>[^@\\s]{1,512}+)@", "(?:^|/)\\.git-credentials$"),
	FILERULE("aws-credentials-file", "AWS", "secret in .aws/credentials",
		 "aws_secret_access_key|aws_session_token",
		 "(?i:aws_secret_access_key|aws_session_token)[ \\t]*=[ \\t]*(?<secret>[^\\s]{8,2048}+)",
		 "(?:^|/)\\.aws/credentials$"),
	FILERULE("docker-config-auth", "Docker", "registry credential in .docker/config.json",
		 "\"auth\"|\"identitytoken\"",
		 "\"(?:auth|identitytoken)\"[ \\t\\r\\n]*:[ \\t\\r\\n]*\"(?<secret>[A-Za-z0-9+/=._-]{8,4096}+)\"",
		 "(?:^|/)\\.docker/config\\.json$"),
	/* generic assignments (guarded: docs/secrets.md "Generic assignments") */
	{ .id = "generic-secret-assignment", .category = "Generic",
	  .title = "password or secret assigned in the clear", .severity = SW_SEV_MEDIUM,
	  .keywords = "password|passwd|secret|token|api_key|apikey|api-key|access_key|access-key|auth_key|private_key",
	  .regex = "(?i:password|passwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key)"
		   "[A-Za-z0-9_.-]{0,30}+[\"']?[ \\t]*(?::=|=>|=|:)[ \\t]*(?<q>[\"'`]?)"
		   "(?<secret>[^\\s\"'`<>(){}\\[\\];,]{8,128}+)\\k<q>(?=[\\s;,)}\\]]|$)",
	  .entropy = 3.0, .after = 220, .priority = 2, .generic = true },
};
const size_t sw_secret_builtin_nrules = sizeof(sw_secret_builtin_rules) / sizeof(sw_secret_builtin_rules[0]);

const struct sw_secret_allow_def sw_secret_builtin_allows[] = {
	{ .id = "documentation-examples",
	  .description = "values of documentation and examples (AKIAIOSFODNN7EXAMPLE, your_token, changeme...)",
	  .regex = "(?i)example|sample|dummy|placeholder|changeme|change_me|change-me|your[_-]|redacted|"
		   "xxxx|\\*\\*\\*|lorem|insert[_-]|replace[_-]?me|not[_-]?a[_-]?real" },
	{ .id = "placeholders",
	  .description = "template placeholders: ${VAR}, $VAR, $(cmd), <token>, {{ x }}, %(x)s, %X%, "
			 "an upper-case NAME_LIKE_THIS, one repeated character",
	  .regex = "^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?|\\$\\(.*\\)|<[^<>]*>|\\{\\{.*\\}\\}|\\{[A-Za-z_]+\\}|"
		   "%\\([A-Za-z_]+\\)s|%[A-Za-z_]+%|(.)\\1*)$" },
	{ .id = "placeholder-words",
	  .description = "a value that is a word standing for a value (password, secret, token, null...)",
	  .regex = "^(?i:password|passwd|pass|secret|token|null|none|nil|undefined|true|false|admin|root|"
		   "user|username|test|testing|string|value|empty|unset|required|optional|foo|bar|baz|qux|"
		   "foobar|foobarbaz)$" },
	{ .id = "public-keys-and-certificates",
	  .description = "files of public keys and certificates (*.pub, the CA certificate stores)",
	  .path = "(?:^|/)[^/]+\\.pub$|^(?:etc/ssl/certs|usr/share/ca-certificates|etc/pki/ca-trust|"
		  "usr/share/pki|etc/ca-certificates)/" },
	{ .id = "package-test-fixtures",
	  .description = "test fixtures inside package-manager-owned paths (node_modules, site-packages, "
			 "dist-packages, gems, vendor, Go and Cargo caches)",
	  .path = "(?:^|/)(?:node_modules|site-packages|dist-packages|gems|vendor|\\.cargo/registry|pkg/mod)/"
		  "(?:.*/)?(?:tests?|__tests__|spec|specs|fixtures?|testdata|test_data|examples?)/" },
	{ .id = "package-documentation",
	  .description = "documentation installed by packages: usr/share/doc, man, info; Markdown, reStructuredText "
			 "and AsciiDoc files and doc folders inside package-manager-owned paths",
	  .path = "^usr/share/(?:doc|man|info|gtk-doc|help)/|"
		  "(?:^|/)(?:node_modules|site-packages|dist-packages|gems|vendor)/(?:.*/)?"
		  "(?:[^/]*\\.(?:md|markdown|rst|adoc)$|docs?/)" },
};
const size_t sw_secret_builtin_nallows = sizeof(sw_secret_builtin_allows) / sizeof(sw_secret_builtin_allows[0]);
